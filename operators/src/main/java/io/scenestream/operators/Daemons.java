package io.scenestream.operators;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon thread factories for the operators' own threads, named so that a thread dump tells them
 * apart.
 */
final class Daemons {

    private Daemons() {}

    /** Threads named {@code prefix-1}, {@code prefix-2}, ... */
    static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> thread(r, prefix + "-" + n.incrementAndGet());
    }

    /** The one thread of a single-thread executor, named {@code name}. */
    static ThreadFactory named(String name) {
        return r -> thread(r, name);
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
