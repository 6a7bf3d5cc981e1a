package io.scenestream.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka in this JVM: one KRaft process acting as broker and controller, listening on
 * loopback only, its log in a given folder (kept, so a restart finds its data) or in a temporary
 * one (deleted on close).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dir;
    private final boolean temporary;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private KafkaRaftServer server;

    private EmbeddedKafka(
            Path dir,
            boolean temporary,
            int brokerPort,
            int controllerPort,
            Map<String, String> overrides) {
        this.dir = dir;
        this.temporary = temporary;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.overrides = Map.copyOf(overrides);
    }

    /** Starts a broker with its data in a new temporary folder, on free loopback ports. */
    public static EmbeddedKafka start() throws IOException {
        return start(Map.of());
    }

    /**
     * As {@link #start()}, with some of the broker's settings ({@link #singleNodeProperties})
     * replaced or added, e.g. {@code broker.session.timeout.ms}.
     */
    public static EmbeddedKafka start(Map<String, String> overrides) throws IOException {
        return start(Files.createTempDirectory("scenestream-kafka-"), true, 0, overrides);
    }

    /**
     * Starts a broker with its data in {@code dir} (formatted on first use, reused after).
     *
     * @param port the client port, or 0 for a free one
     */
    public static EmbeddedKafka start(Path dir, int port) throws IOException {
        return start(dir, false, port, Map.of());
    }

    private static EmbeddedKafka start(
            Path dir, boolean temporary, int port, Map<String, String> overrides)
            throws IOException {
        Files.createDirectories(dir);
        EmbeddedKafka k =
                new EmbeddedKafka(
                        dir, temporary, port == 0 ? freePort() : port, freePort(), overrides);
        k.startServer();
        return k;
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The folder holding the broker's data. */
    public Path dataDir() {
        return dir;
    }

    private Properties properties() {
        Properties p = singleNodeProperties(dir.resolve("log"), brokerPort, controllerPort);
        p.putAll(overrides);
        return p;
    }

    /**
     * The configuration of a single-node KRaft Kafka (broker and controller in one process) on
     * loopback: plaintext clients on {@code brokerPort}, the controller on {@code controllerPort},
     * replication factor 1 everywhere, records up to 64 MB, no automatic topic creation. Used by
     * this class and by the standalone cluster, which runs it as a process of its own ({@code
     * kafka.Kafka}).
     */
    public static Properties singleNodeProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:"
                        + brokerPort
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Frames and model updates are large records.
        p.put("message.max.bytes", Integer.toString(64 << 20));
        p.put("replica.fetch.max.bytes", Integer.toString(64 << 20));
        p.put("auto.create.topics.enable", "false");
        return p;
    }

    /**
     * Writes {@code props} to {@code config} and formats the storage of {@code logDir} with a new
     * cluster id unless it is formatted already (a restart keeps its data).
     */
    public static void writeAndFormat(Properties props, Path config, Path logDir)
            throws IOException {
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            props.store(w, "SceneStream Kafka (KRaft, single node)");
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code =
                    StorageTool.execute(
                            new String[] {
                                "format",
                                "--cluster-id",
                                Uuid.randomUuid().toString(),
                                "--config",
                                config.toString(),
                                "--ignore-formatted"
                            },
                            new PrintStream(out, true, StandardCharsets.UTF_8));
            if (code != 0) {
                throw new IOException(
                        "formatting Kafka storage in "
                                + logDir
                                + " failed: "
                                + out.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private void startServer() throws IOException {
        Properties props = properties();
        writeAndFormat(props, dir.resolve("server.properties"), dir.resolve("log"));
        server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
        server.startup();
        awaitReady(Duration.ofSeconds(60));
        LOG.info("embedded Kafka on {} with data in {}", bootstrapServers(), dir);
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
            }
        }
        throw new IOException(
                "embedded Kafka did not come up on " + bootstrapServers() + " within " + timeout,
                last);
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers(),
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        10_000,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        20_000));
    }

    /**
     * Creates a topic if it does not exist.
     *
     * @param configs topic configuration, e.g. {@code cleanup.policy=compact}
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create topic " + name + ": " + e.getCause().getMessage(),
                        e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        }
    }

    /** Stops the broker, keeping its data (unless temporary); {@link #restart} brings it back. */
    public void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts a stopped broker again on the same ports and data. */
    public void restart() throws IOException {
        stop();
        startServer();
    }

    @Override
    public void close() {
        stop();
        if (temporary) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
