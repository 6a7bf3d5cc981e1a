package io.scenestream.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.SampleSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class BatchPrefetcherTest {

    /** Sample i is a 1x1 frame whose red value is i; index 13 fails; records the threads used. */
    private static final class Numbered implements SampleSource {
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final Set<Long> asked = ConcurrentHashMap.newKeySet();

        @Override
        public String describe() {
            return "numbered";
        }

        @Override
        public long size() {
            return -1;
        }

        @Override
        public DenseSample get(long index, int h, int w) throws IOException {
            threads.add(Thread.currentThread().getName());
            asked.add(index);
            if (index == 13) {
                throw new IOException("sample 13 is unreadable");
            }
            return new DenseSample("s" + index, 1, 1, new byte[] {(byte) index, 0, 0}, null, null);
        }
    }

    private static List<String> ids(List<DenseSample> batch) {
        List<String> out = new ArrayList<>();
        batch.forEach(s -> out.add(s.id()));
        return out;
    }

    @Test
    void sameBatchesAheadOrNotFromAnyFirstStep() throws IOException {
        for (int ahead : new int[] {0, 1, 3}) {
            Numbered source = new Numbered();
            try (BatchPrefetcher p = new BatchPrefetcher(source, 2, 1, 1, 2, ahead, 3)) {
                assertEquals(List.of("s2", "s3"), ids(p.next()), "ahead " + ahead);
                assertEquals(List.of("s4", "s5"), ids(p.next()), "ahead " + ahead);
                assertEquals(List.of("s6", "s7"), ids(p.next()), "ahead " + ahead);
                checkThreads(source, ahead);
            }
        }
    }

    private static void checkThreads(Numbered source, int ahead) {
        if (ahead == 0) {
            assertEquals(Set.of(Thread.currentThread().getName()), source.threads);
            return;
        }
        assertTrue(
                source.threads.stream().allMatch(t -> t.startsWith("batch-prefetch-")),
                source.threads.toString());
        // the batches of the next `ahead` steps were asked for before they were needed (the last
        // sample of step 4 + ahead is 7 + 2 * ahead)
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!source.asked.contains(7L + 2L * ahead) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(source.asked.contains(7L + 2L * ahead), source.asked.toString());
    }

    @Test
    void aFailedSampleFailsItsOwnStep() throws IOException {
        try (BatchPrefetcher p = new BatchPrefetcher(new Numbered(), 4, 1, 1, 1, 2, 2)) {
            assertArrayEquals(new byte[] {3, 0, 0}, p.next().get(3).rgb());
            assertEquals("s4", p.next().get(0).id());
            assertEquals("s8", p.next().get(0).id());
            IOException e = assertThrows(IOException.class, p::next);
            assertEquals("sample 13 is unreadable", e.getMessage());
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new BatchPrefetcher(new Numbered(), 0, 1, 1, 1, 0, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new BatchPrefetcher(new Numbered(), 2, 1, 1, 0, 0, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new BatchPrefetcher(new Numbered(), 2, 1, 1, 1, 1, 0));
    }
}
