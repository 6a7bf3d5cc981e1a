package io.scenestream.operators;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the scheduling priority (raises the nice value) of the calling thread, on Linux, where the
 * nice value belongs to a thread and threads it starts later inherit it: libtorch's OpenMP workers
 * for a thread are started at its first parallel region, so a thread lowered before it touches
 * libtorch keeps its whole team below the threads that serve predictions. Background work (training
 * rounds) then uses the cores that inference leaves idle and yields them when frames arrive.
 *
 * <p>Lowering is what an unprivileged process may do ({@code renice} on the thread id from {@code
 * /proc/thread-self}); where that is not available, the thread stays as it is and the reason is
 * logged. {@link BackgroundWorker} lowers its thread so.
 */
public final class ThreadNiceness {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadNiceness.class);

    private ThreadNiceness() {}

    /**
     * Sets the calling thread's nice value to {@code nice} (1..19; 0 leaves it).
     *
     * @return whether it was set
     */
    public static boolean lowerCurrentThread(int nice) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("nice value must be in 0..19, got " + nice);
        }
        if (nice == 0) {
            return false;
        }
        String tid;
        try {
            // "PID/task/TID"
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            tid = self.getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info(
                    "thread {} keeps its priority: no /proc/thread-self ({})",
                    Thread.currentThread().getName(),
                    e.toString());
            return false;
        }
        try {
            Process p =
                    new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
                            .redirectErrorStream(true)
                            .start();
            String out =
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                LOG.warn(
                        "thread {} keeps its priority: renice failed: {}",
                        Thread.currentThread().getName(),
                        out);
                return false;
            }
            return true;
        } catch (IOException e) {
            LOG.warn(
                    "thread {} keeps its priority: cannot run renice: {}",
                    Thread.currentThread().getName(),
                    e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The calling thread's nice value, from {@code /proc/thread-self/stat}; NaN-like -100 if
     * unknown.
     */
    static int currentNice() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            // Fields after the command name (which may hold spaces) in parentheses.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[16]);
        } catch (IOException | RuntimeException e) {
            return -100;
        }
    }
}
