package io.scenestream.dashboard;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;

/**
 * A running dashboard: a Kafka consumer reading the job's topics into memory and an HTTP server
 * showing them (see {@link DashboardServer} for its endpoints). Start one with {@link #start};
 * {@link #close} stops the server, the event streams and the consumer, and releases their threads.
 *
 * <pre>{@code
 * try (Dashboard d = Dashboard.start("127.0.0.1:9092", "127.0.0.1", 0, null)) {
 *     System.out.println("dashboard: " + d.url());
 *     ...
 * }
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {

    private final DashboardSettings settings;
    private final TopicReader reader;
    private final EventStream events;
    private final DashboardServer server;

    private Dashboard(
            DashboardSettings settings,
            TopicReader reader,
            EventStream events,
            DashboardServer server) {
        this.settings = settings;
        this.reader = reader;
        this.events = events;
        this.server = server;
    }

    /**
     * Starts a dashboard of the job's default topics on {@code bootstrapServers}.
     *
     * @param bind the address to listen on, e.g. {@code 127.0.0.1}
     * @param port the port, 0 for any free one
     * @param token the token every request must carry, or null (loopback only)
     * @throws IllegalArgumentException for a non-loopback address without a token
     * @throws IOException if the port cannot be bound
     */
    public static Dashboard start(String bootstrapServers, String bind, int port, String token)
            throws IOException {
        return start(
                DashboardSettings.builder()
                        .setBootstrapServers(bootstrapServers)
                        .optBind(bind)
                        .optPort(port)
                        .optToken(token)
                        .build());
    }

    /**
     * Starts a dashboard: binds the port first (so a port in use fails here), then starts reading
     * Kafka; a broker that cannot be reached yet is retried in the background.
     */
    public static Dashboard start(DashboardSettings settings) throws IOException {
        Gson gson = new GsonBuilder().serializeNulls().create();
        FleetState state = new FleetState(settings.topics(), settings.maxCameras());
        TopicReader reader = new TopicReader(settings, state);
        EventStream events = new EventStream(state, gson);
        DashboardServer server;
        try {
            server = new DashboardServer(settings, state, events, reader, gson);
        } catch (IOException | RuntimeException e) {
            events.close();
            throw e;
        }
        reader.start();
        events.start();
        server.start();
        return new Dashboard(settings, reader, events, server);
    }

    /** The port listened on. */
    public int port() {
        return server.port();
    }

    /**
     * The page's address: {@code http://BIND:PORT/} (loopback when listening on every address). The
     * token is not part of it.
     */
    public URI url() {
        String host = settings.bind();
        try {
            InetAddress a = InetAddress.getByName(host);
            if (a.isAnyLocalAddress()) {
                host = "127.0.0.1";
            } else if (a instanceof Inet6Address) {
                host = "[" + a.getHostAddress() + "]";
            }
        } catch (IOException e) {
            // Keep the name as given.
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    public DashboardSettings settings() {
        return settings;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            events.close();
            server.close();
        } finally {
            reader.close();
        }
    }
}
