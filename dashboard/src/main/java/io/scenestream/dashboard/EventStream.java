package io.scenestream.dashboard;

import com.google.gson.Gson;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Server-sent events ({@code GET /api/events}): a {@code camera} event, a small JSON summary, when
 * a camera's state has changed, at most {@link #CAMERA_INTERVAL_MS} apart per camera, and a {@code
 * fleet} event when versions, dead letters or unreadable records changed, at most once a second. A
 * ticker thread looks for changes; each client is served on its HTTP thread from a bounded queue (a
 * client too slow to keep up is dropped, and its browser reconnects). At most {@link #MAX_CLIENTS}
 * clients. {@link #close} ends every stream and the ticker.
 */
final class EventStream implements AutoCloseable {

    /** Least time between two events of one camera: at most two a second. */
    static final long CAMERA_INTERVAL_MS = 500;

    static final long FLEET_INTERVAL_MS = 1000;
    static final int MAX_CLIENTS = 32;
    private static final long TICK_MS = 100;
    private static final long KEEPALIVE_MS = 15_000;

    /** Ends a client's stream; compared by identity. */
    private static final String END = new String("end");

    private final FleetState state;
    private final Gson gson;
    private final List<BlockingQueue<String>> clients = new CopyOnWriteArrayList<>();
    private final Map<String, long[]> sent = new HashMap<>();
    private final ScheduledExecutorService ticker;
    private long fleetSent = -1;
    private long fleetSentAt;
    private volatile boolean closed;

    EventStream(FleetState state, Gson gson) {
        this.state = state;
        this.gson = gson;
        this.ticker =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "dashboard-events");
                            t.setDaemon(true);
                            return t;
                        });
    }

    void start() {
        ticker.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            long now = System.currentTimeMillis();
            for (CameraState c : state.cameras()) {
                long changes = c.changes();
                long[] last = sent.computeIfAbsent(c.id(), k -> new long[] {-1, 0});
                if (changes != last[0] && now - last[1] >= CAMERA_INTERVAL_MS) {
                    last[0] = changes;
                    last[1] = now;
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("camera", c.id());
                    var p = c.latestPrediction();
                    e.put("sequence", p == null ? null : p.getSequence());
                    e.put("model", c.servingVersion());
                    e.put("framesPerSecond", CameraState.round(c.predictionsPerSecond(now)));
                    e.put("deadLetters", c.deadLetterCount());
                    broadcast("camera", gson.toJson(e));
                }
            }
            sent.keySet().removeIf(id -> state.find(id) == null);
            long fleet = state.fleetChanges();
            if (fleet != fleetSent && now - fleetSentAt >= FLEET_INTERVAL_MS) {
                fleetSent = fleet;
                fleetSentAt = now;
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("cameras", state.cameras().size());
                e.put("deadLetters", state.deadLetterCount());
                e.put("records", state.records());
                broadcast("fleet", gson.toJson(e));
            }
        } catch (RuntimeException e) {
            // A ticker that threw would never run again: skip this tick instead.
        }
    }

    private void broadcast(String event, String json) {
        String message = "event: " + event + "\ndata: " + json + "\n\n";
        for (BlockingQueue<String> q : clients) {
            if (!q.offer(message)) {
                // Too slow: end its stream; the browser reconnects and starts afresh.
                q.clear();
                q.offer(END);
            }
        }
    }

    /** Serves one client until it goes away or the stream is closed. */
    void serve(HttpExchange ex) throws IOException {
        if (closed || clients.size() >= MAX_CLIENTS) {
            byte[] body = "too many event streams open\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(503, body.length);
            ex.getResponseBody().write(body);
            ex.close();
            return;
        }
        BlockingQueue<String> q = new ArrayBlockingQueue<>(256);
        clients.add(q);
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!closed) {
                String m = q.poll(KEEPALIVE_MS, TimeUnit.MILLISECONDS);
                if (m == END) {
                    break;
                }
                out.write((m == null ? ": keep-alive\n\n" : m).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // The client went away.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(q);
            ex.close();
        }
    }

    /** Clients connected now. */
    int clients() {
        return clients.size();
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        for (BlockingQueue<String> q : clients) {
            q.clear();
            q.offer(END);
        }
    }
}
