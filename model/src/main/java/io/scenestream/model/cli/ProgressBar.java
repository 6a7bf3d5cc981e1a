package io.scenestream.model.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with a message and the estimated time left. On a terminal it redraws in
 * place; elsewhere (logs, CI) it prints a line at every tenth of the way.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final long total;
    private final long start;
    private final long startNanos = System.nanoTime();
    private final boolean terminal = System.console() != null;
    private int lastTenth = -1;

    /**
     * @param start units already done before this bar (a resumed run)
     */
    ProgressBar(PrintStream out, long start, long total) {
        this.out = out;
        this.start = start;
        this.total = total;
    }

    void update(long done, String message) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        long doneHere = done - start;
        double perUnit = doneHere > 0 ? elapsed / doneHere : 0;
        long eta = Math.round(perUnit * (total - done));
        int filled = (int) (WIDTH * done / Math.max(1, total));
        String line =
                String.format(
                        Locale.ROOT,
                        "[%s%s] %d/%d %s %.2f s/step ETA %s",
                        "=".repeat(filled),
                        " ".repeat(WIDTH - filled),
                        done,
                        total,
                        message,
                        perUnit,
                        hms(eta));
        if (terminal) {
            out.print("\r" + line);
            if (done == total) {
                out.println();
            }
        } else {
            int tenth = (int) (10 * done / Math.max(1, total));
            if (tenth != lastTenth || done == total) {
                out.println(line);
                lastTenth = tenth;
            }
        }
        out.flush();
    }

    static String hms(long seconds) {
        return String.format(
                Locale.ROOT, "%d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    }
}
