package io.scenestream.dashboard;

import io.scenestream.frames.viz.NyuPalette;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link Dashboard} reads and where it listens. Built with {@link #builder()}: {@code
 * setBootstrapServers} is required, everything else has a default; {@link Builder#build()} refuses
 * a non-loopback address without a token.
 *
 * @param bootstrapServers Kafka's {@code host:port,...}
 * @param bind the address the HTTP server listens on; loopback by default
 * @param port the HTTP port; 0 for any free one
 * @param token the token every request must carry ({@code Authorization: Bearer} or {@code
 *     ?token=}), or null for none (loopback only)
 * @param topics the topics read
 * @param kafkaProperties further consumer settings (TLS, SASL, ...), applied last
 * @param palette the segmentation classes' colours and names
 * @param depthMaxMetres the far end of the depth colours (near is 0 m), the same for every camera
 * @param maxCameras cameras kept; beyond it the one updated longest ago is forgotten
 */
public record DashboardSettings(
        String bootstrapServers,
        String bind,
        int port,
        String token,
        DashboardTopics topics,
        Map<String, String> kafkaProperties,
        NyuPalette palette,
        double depthMaxMetres,
        int maxCameras) {

    /** The address listened on unless another is given. */
    public static final String LOOPBACK = "127.0.0.1";

    /** Environment variable that {@code bin/scenestream-dashboard} reads the token from. */
    public static final String TOKEN_ENV = "SCENESTREAM_DASHBOARD_TOKEN";

    public DashboardSettings {
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code bind} is a loopback address (a name is resolved). */
    public static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the address to bind, " + bind, e);
        }
    }

    /** Builds {@link DashboardSettings}. */
    public static final class Builder {
        private String bootstrapServers;
        private String bind = LOOPBACK;
        private int port = 0;
        private String token;
        private DashboardTopics topics = DashboardTopics.DEFAULT;
        private final Map<String, String> kafkaProperties = new LinkedHashMap<>();
        private NyuPalette palette = NyuPalette.NYU13;
        private double depthMaxMetres = 10;
        private int maxCameras = 256;

        private Builder() {}

        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder optBind(String bind) {
            this.bind = bind;
            return this;
        }

        public Builder optPort(int port) {
            this.port = port;
            return this;
        }

        /** The token; null or empty for none. */
        public Builder optToken(String token) {
            this.token = token == null || token.isEmpty() ? null : token;
            return this;
        }

        public Builder optTopics(DashboardTopics topics) {
            this.topics = topics;
            return this;
        }

        public Builder optKafkaProperties(Map<String, String> properties) {
            this.kafkaProperties.putAll(properties);
            return this;
        }

        public Builder optPalette(NyuPalette palette) {
            this.palette = palette;
            return this;
        }

        public Builder optDepthMaxMetres(double metres) {
            this.depthMaxMetres = metres;
            return this;
        }

        public Builder optMaxCameras(int maxCameras) {
            this.maxCameras = maxCameras;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming what is missing or wrong; in particular a bind
         *     address other than loopback without a token
         */
        public DashboardSettings build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("must set bootstrapServers");
            }
            if (bind == null || bind.isBlank()) {
                throw new IllegalArgumentException("must set a bind address");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            if (!(depthMaxMetres > 0) || Double.isInfinite(depthMaxMetres)) {
                throw new IllegalArgumentException(
                        "the depth range's far end must be a positive number of metres, got "
                                + depthMaxMetres);
            }
            if (maxCameras < 1) {
                throw new IllegalArgumentException("maxCameras must be at least 1");
            }
            if (token == null && !isLoopback(bind)) {
                throw new IllegalArgumentException(
                        "refusing to listen on "
                                + bind
                                + " without a token: anyone who can reach it would see every"
                                + " camera. Give one with --token or "
                                + TOKEN_ENV
                                + ", or listen on "
                                + LOOPBACK
                                + " (the default)");
            }
            return new DashboardSettings(
                    bootstrapServers,
                    bind,
                    port,
                    token,
                    topics,
                    kafkaProperties,
                    palette,
                    depthMaxMetres,
                    maxCameras);
        }
    }
}
