package io.scenestream.dashboard;

import io.scenestream.frames.viz.NyuPalette;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/scenestream-dashboard}: the dashboard of a running job's topics, until Ctrl-C. */
@Command(
        name = "scenestream-dashboard",
        mixinStandardHelpOptions = true,
        description =
                "A live dashboard of SceneStream's topics in the browser: per camera the latest"
                        + " frame, segmentation and depth, frames/s, latency, model versions, dead"
                        + " letters. Reads Kafka only.")
public final class DashboardCommand implements Callable<Integer> {

    @Option(
            names = "--bootstrap-servers",
            description = "Kafka brokers, host:port,... (default: ${DEFAULT-VALUE})")
    String bootstrapServers = "127.0.0.1:9092";

    @Option(
            names = "--bind",
            description =
                    "address to listen on; any other than loopback needs --token"
                            + " (default: ${DEFAULT-VALUE})")
    String bind = DashboardSettings.LOOPBACK;

    @Option(names = "--port", description = "HTTP port, 0 = any free (default: ${DEFAULT-VALUE})")
    int port = 8082;

    @Option(
            names = "--token",
            defaultValue = "${env:" + DashboardSettings.TOKEN_ENV + "}",
            description =
                    "token every request must carry (Authorization: Bearer TOKEN or ?token=TOKEN);"
                            + " default: the environment variable "
                            + DashboardSettings.TOKEN_ENV)
    String token;

    @Option(
            names = "--frames-topic",
            description = "topic of the cameras' Frame records (default: ${DEFAULT-VALUE})")
    String framesTopic = DashboardTopics.DEFAULT.frames();

    @Option(
            names = "--predictions-topic",
            description = "topic of the job's Prediction records (default: ${DEFAULT-VALUE})")
    String predictionsTopic = DashboardTopics.DEFAULT.predictions();

    @Option(
            names = "--dead-letters-topic",
            description = "topic of the job's dead letters (default: ${DEFAULT-VALUE})")
    String deadLettersTopic = DashboardTopics.DEFAULT.deadLetters();

    @Option(
            names = "--pseudo-labels-topic",
            description = "topic of the teacher's PseudoLabel records (default: ${DEFAULT-VALUE})")
    String pseudoLabelsTopic = DashboardTopics.DEFAULT.pseudoLabels();

    @Option(
            names = "--model-updates-topic",
            description = "topic of the ModelUpdate records (default: ${DEFAULT-VALUE})")
    String modelUpdatesTopic = DashboardTopics.DEFAULT.modelUpdates();

    @Option(
            names = "--rounds-topic",
            description = "topic of the SelfTrainingRound records (default: ${DEFAULT-VALUE})")
    String roundsTopic = DashboardTopics.DEFAULT.rounds();

    @Option(
            names = "--classes",
            description =
                    "segmentation classes, 13 or 40: the NYU palette (default: ${DEFAULT-VALUE})")
    int classes = 13;

    @Option(
            names = "--depth-max",
            description = "far end of the depth colours, metres (default: ${DEFAULT-VALUE})")
    double depthMax = 10;

    @Option(
            names = "-X",
            description =
                    "a Kafka consumer setting KEY=VALUE (TLS, SASL, ...), e.g."
                            + " -X security.protocol=SSL")
    Map<String, String> kafkaProperties = Map.of();

    public static void main(String[] args) {
        System.exit(
                new CommandLine(new DashboardCommand())
                        .setExecutionExceptionHandler(
                                (ex, cmd, parse) -> {
                                    if (ex instanceof IllegalArgumentException
                                            || ex instanceof java.io.IOException) {
                                        cmd.getErr()
                                                .println(
                                                        "scenestream-dashboard: error: "
                                                                + ex.getMessage());
                                        return 2;
                                    }
                                    throw ex;
                                })
                        .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        DashboardSettings settings =
                DashboardSettings.builder()
                        .setBootstrapServers(bootstrapServers)
                        .optBind(bind)
                        .optPort(port)
                        .optToken(token)
                        .optTopics(
                                new DashboardTopics(
                                        framesTopic,
                                        predictionsTopic,
                                        deadLettersTopic,
                                        pseudoLabelsTopic,
                                        modelUpdatesTopic,
                                        roundsTopic))
                        .optKafkaProperties(kafkaProperties)
                        .optPalette(NyuPalette.forClassCount(classes))
                        .optDepthMaxMetres(depthMax)
                        .build();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (Dashboard d = Dashboard.start(settings)) {
            System.out.println(
                    "dashboard: "
                            + d.url()
                            + " (Kafka "
                            + bootstrapServers
                            + (settings.token() != null ? "; requests need the token" : "")
                            + "); Ctrl-C stops it");
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        stop.countDown();
                                        try {
                                            closed.await();
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                        }
                                    },
                                    "shutdown"));
            stop.await();
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
