package io.scenestream.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the embedded broker on its own until Ctrl-C: a Kafka for the producers and the recorder. */
@Command(
        name = "scenestream-broker",
        mixinStandardHelpOptions = true,
        description = "Run a single-node KRaft broker on loopback until Ctrl-C.")
public final class BrokerCommand implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BrokerCommand()).execute(args));
    }

    @Option(names = "--dir", description = "data folder (default: ${DEFAULT-VALUE})")
    Path dir = Path.of("kafka-data");

    @Option(names = "--port", description = "client port (default: ${DEFAULT-VALUE})")
    int port = 9092;

    @Option(names = "--topic", description = "create NAME:PARTITIONS (repeatable)")
    List<String> topics = List.of();

    @Override
    public Integer call() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, port)) {
            for (String t : topics) {
                String[] p = t.split(":");
                kafka.createTopic(p[0], p.length > 1 ? Integer.parseInt(p[1]) : 1, Map.of());
            }
            System.err.println(
                    "Kafka on "
                            + kafka.bootstrapServers()
                            + ", data in "
                            + dir
                            + "; Ctrl-C stops it");
            CountDownLatch stop = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
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
                                    }));
            try {
                stop.await();
                kafka.stop();
            } finally {
                closed.countDown();
            }
        }
        return 0;
    }
}
