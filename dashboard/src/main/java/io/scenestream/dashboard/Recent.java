package io.scenestream.dashboard;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.ToLongFunction;

/**
 * The newest records of a camera by sequence, at most {@code maxEntries} and {@code maxBytes} of
 * them (the newest is kept whatever its size), the oldest forgotten first. Not thread-safe: its
 * owner synchronizes.
 */
final class Recent<V> {

    private final LinkedHashMap<Long, V> values = new LinkedHashMap<>();
    private final int maxEntries;
    private final long maxBytes;
    private final ToLongFunction<V> bytesOf;
    private long bytes;

    Recent(int maxEntries, long maxBytes, ToLongFunction<V> bytesOf) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.bytesOf = bytesOf;
    }

    void put(long sequence, V v) {
        V old = values.put(sequence, v);
        bytes += bytesOf.applyAsLong(v) - (old == null ? 0 : bytesOf.applyAsLong(old));
        Iterator<V> it = values.values().iterator();
        while (values.size() > 1 && (values.size() > maxEntries || bytes > maxBytes)) {
            bytes -= bytesOf.applyAsLong(it.next());
            it.remove();
        }
    }

    /** The record of {@code sequence} if it is still kept, else null. */
    V get(long sequence) {
        return values.get(sequence);
    }
}
