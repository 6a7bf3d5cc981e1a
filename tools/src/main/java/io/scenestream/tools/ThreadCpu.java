package io.scenestream.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this process's threads, by kind, from {@code /proc/self/task} (Linux): what the
 * pipeline benchmark prints for each burst, to show where the machine's time went besides the
 * model.
 *
 * <p>Threads are told apart by their kernel names ({@code comm}, the first 15 characters of a Java
 * thread's name). libtorch's OpenMP workers are native threads and carry the name of the thread
 * that started them, so they count with the inference task's thread ("infer -> ..."). A thread that
 * ends between two samples is missing from the later one; its time since the first is lost.
 */
public final class ThreadCpu {

    /**
     * Linux reports thread times in USER_HZ ticks, 100 a second on every architecture it runs on.
     */
    private static final double TICKS_PER_SECOND = 100;

    /** Kinds in the order they are printed, each with the name prefixes that make it. */
    private static final List<Kind> KINDS =
            List.of(
                    new Kind(
                            "inference",
                            "inference task and its libtorch threads (decode, model, encode)",
                            "infer"),
                    new Kind(
                            "jit",
                            "JIT compilers",
                            "C1 CompilerThre",
                            "C2 CompilerThre",
                            "Sweeper thread"),
                    new Kind(
                            "gc",
                            "garbage collection and the VM thread",
                            "GC Thread",
                            "G1 ",
                            "VM Thread"),
                    new Kind(
                            "kafka-clients",
                            "Kafka clients (the source's fetcher, producers' network threads)",
                            "Source Data Fet",
                            "kafka-producer-",
                            "kafka-coordinat",
                            "kafka-admin-cli",
                            "consumer_backgr"),
                    new Kind(
                            "broker",
                            "embedded Kafka broker and controller",
                            "data-plane-kafk",
                            "kafka-",
                            "quorum-control",
                            "controller-",
                            "broker-",
                            "raft-",
                            "ExpirationReape",
                            "executor-",
                            "LogDirFailure",
                            "group-",
                            "transaction-",
                            "share-",
                            "ThrottledChanne",
                            "RaftManager"),
                    new Kind(
                            "flink",
                            "Flink's other tasks and runtime threads",
                            "Source: ",
                            "flink-",
                            "OutputFlusher",
                            "Checkpoint Time",
                            "Time Trigger",
                            "System Time Tri",
                            "jobmanager-",
                            "mini-cluster",
                            "AsyncOperation",
                            "IOManager",
                            "BLOB",
                            "Flink",
                            "pool-"),
                    new Kind(
                            "main",
                            "the benchmark's main thread (its producer of frames, consumer of predictions)",
                            "java"));

    private record Kind(String key, String description, String... prefixes) {}

    private final Map<Integer, Long> ticksByThread;
    private final Map<Integer, String> names;

    private ThreadCpu(Map<Integer, Long> ticksByThread, Map<Integer, String> names) {
        this.ticksByThread = ticksByThread;
        this.names = names;
    }

    /** Whether this system has per-thread times where this class reads them. */
    public static boolean available() {
        return Files.isDirectory(Path.of("/proc/self/task"));
    }

    /** The CPU time of every thread of this process now. */
    public static ThreadCpu sample() throws IOException {
        Map<Integer, Long> ticks = new TreeMap<>();
        Map<Integer, String> names = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                    int tid = Integer.parseInt(task.getFileName().toString());
                    ticks.put(tid, utimePlusStime(stat));
                    names.put(
                            tid,
                            Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip());
                } catch (NoSuchFileException ended) {
                    // the thread ended while the directory was read
                }
            }
        }
        return new ThreadCpu(ticks, names);
    }

    /**
     * utime + stime of a {@code /proc/.../stat} line, in ticks. The thread's name, in parentheses,
     * may hold spaces and parentheses itself, so fields are counted from the last ')'.
     */
    static long utimePlusStime(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // after the name: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
        // cmajflt utime(14) stime(15)
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The kind a thread of this name counts under ("other" for none). */
    static String kindOf(String comm) {
        for (Kind k : KINDS) {
            for (String p : k.prefixes()) {
                if (comm.startsWith(p)) {
                    return k.key();
                }
            }
        }
        return "other";
    }

    /** Seconds of CPU by kind from {@code earlier} to this sample, in the printing order. */
    public Map<String, Double> secondsSince(ThreadCpu earlier) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Kind k : KINDS) {
            out.put(k.key(), 0.0);
        }
        out.put("other", 0.0);
        ticksByThread.forEach(
                (tid, t) -> {
                    long before = earlier.ticksByThread.getOrDefault(tid, 0L);
                    out.merge(kindOf(names.get(tid)), (t - before) / TICKS_PER_SECOND, Double::sum);
                });
        return out;
    }

    /**
     * Whether the JIT compilers took under 1% of the machine's cores over {@code wallSeconds}, in
     * {@code seconds} (from {@link #secondsSince}): the benchmark's test of a warmed-up process.
     */
    public static boolean jitNearlyIdle(Map<String, Double> seconds, double wallSeconds) {
        return seconds.get("jit") / wallSeconds < 0.01 * Runtime.getRuntime().availableProcessors();
    }

    /**
     * One line: cores used on average over {@code wallSeconds} by each kind, and CPU milliseconds a
     * frame, e.g. {@code "cores 1.93 = inference 1.78, jit 0.03, ..."}.
     */
    public static String describe(Map<String, Double> seconds, double wallSeconds, int frames) {
        double total = seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder b =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "cores %.2f (%.1f CPU ms a frame) =",
                                total / wallSeconds,
                                1000 * total / frames));
        String sep = " ";
        for (Map.Entry<String, Double> e : seconds.entrySet()) {
            b.append(sep)
                    .append(
                            String.format(
                                    Locale.ROOT,
                                    "%s %.2f (%.1f ms)",
                                    e.getKey(),
                                    e.getValue() / wallSeconds,
                                    1000 * e.getValue() / frames));
            sep = ", ";
        }
        return b.toString();
    }

    /** What each kind's name means, for the benchmark's header. */
    public static String legend() {
        StringBuilder b = new StringBuilder();
        for (Kind k : KINDS) {
            b.append(k.key()).append(": ").append(k.description()).append("; ");
        }
        return b.append("other: the rest").toString();
    }
}
