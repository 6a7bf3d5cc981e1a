package io.scenestream.dashboard;

import com.google.gson.Gson;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.viz.DepthColormap;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.kafka.serde.PseudoLabels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP side, on the JDK's own {@link HttpServer}: no dependency, and enough for a
 * page, a few JSON endpoints, images and server-sent events to a handful of browsers.
 *
 * <ul>
 *   <li>{@code GET /}: the page; {@code GET /static/NAME}: its script and style sheet, and the
 *       charting library's (uPlot, from its WebJar on the class path)
 *   <li>{@code GET /api/cameras}: a JSON array, one summary per camera
 *   <li>{@code GET /api/cameras/ID}: one camera in detail: versions served, the versions its model
 *       was published in, its last dead letters and pseudo-label
 *   <li>{@code GET /api/cameras/ID/frame.png}, {@code segmentation.png} ({@code ?overlay=0.5}
 *       blends it over its frame), {@code depth.png} ({@code ?scale=1} adds the metre scale); all
 *       take {@code ?w=WIDTH} for a smaller image
 *   <li>{@code GET /api/cameras/ID/key-frame/NAME.png}: the last pseudo-labelled key frame: {@code
 *       frame}, the teacher's {@code labels} and {@code depth}, the student's {@code segmentation}
 *       and {@code student-depth} of the same frame
 *   <li>{@code GET /api/fleet}: throughput, latency, dead letters, versions per camera, adaptation
 *   <li>{@code GET /api/events}: server-sent events ({@link EventStream})
 * </ul>
 *
 * <p>Only GET; nothing writes. With a token, every request to {@code /api} must carry it ({@code
 * Authorization: Bearer TOKEN} or {@code ?token=TOKEN}, which images and event streams in a page
 * need) or is answered 401. Without one (loopback only), a request must name a loopback host in its
 * {@code Host} header, so that a web page cannot reach the dashboard by pointing its own host name
 * at 127.0.0.1.
 */
final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final String WEB = "/io/scenestream/dashboard/web/";
    private static final Map<String, String> STATIC =
            Map.of(
                    "dashboard.js", "text/javascript; charset=utf-8",
                    "dashboard.css", "text/css; charset=utf-8");

    /** uPlot's files in its WebJar, without the version (read from the jar's pom.properties). */
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/";

    private static final Map<String, String> VENDOR =
            Map.of(
                    "uPlot.iife.min.js", "text/javascript; charset=utf-8",
                    "uPlot.min.css", "text/css; charset=utf-8");
    private static final int MAX_WIDTH = 4096;
    private static final int THREADS = EventStream.MAX_CLIENTS + 16;
    private static final int IMAGES_CACHED = 256;

    /** How much of the palette's colour key-frame labels and predictions are drawn with. */
    static final double KEY_FRAME_OVERLAY = 0.6;

    /** uPlot's {@code dist/} in its WebJar, or null when the jar is not on the class path. */
    private static final String UPLOT_DIST = uplotDist();

    private final DashboardSettings settings;
    private final FleetState state;
    private final EventStream events;
    private final TopicReader reader;
    private final Gson gson;
    private final DepthColormap depthColors;
    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] token;
    private final Map<String, byte[]> images =
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, byte[]> e) {
                    return size() > IMAGES_CACHED;
                }
            };

    DashboardServer(
            DashboardSettings settings,
            FleetState state,
            EventStream events,
            TopicReader reader,
            Gson gson)
            throws IOException {
        this.settings = settings;
        this.state = state;
        this.events = events;
        this.reader = reader;
        this.gson = gson;
        this.depthColors = DepthColormap.range(0, settings.depthMaxMetres());
        this.token =
                settings.token() == null ? null : settings.token().getBytes(StandardCharsets.UTF_8);
        this.server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 0);
        AtomicInteger n = new AtomicInteger();
        this.executor =
                Executors.newFixedThreadPool(
                        THREADS,
                        r -> {
                            Thread t = new Thread(r, "dashboard-http-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    void start() {
        server.start();
    }

    /** The port listened on. */
    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } catch (IllegalArgumentException e) {
            error(ex, 400, "bad request: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("dashboard: {} failed: {}", ex.getRequestURI().getRawPath(), e.toString());
            error(ex, 500, "internal error: " + e.getClass().getSimpleName());
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        List<String> path = segments(ex.getRequestURI().getRawPath());
        // The page and its scripts hold no camera data: with a token they load without it (a
        // browser cannot add it to the page's own <script> and <link> requests); the API needs it.
        boolean shell = path.isEmpty() || !path.get(0).equals("api");
        if (!(shell && token != null) && !authorised(ex, query)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"scenestream\"");
            error(ex, 401, "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN");
            return;
        }
        if (!ex.getRequestMethod().equals("GET")) {
            ex.getResponseHeaders().set("Allow", "GET");
            error(ex, 405, "only GET: the dashboard reads, it never writes");
            return;
        }
        if (path.isEmpty() || path.equals(List.of("index.html"))) {
            resource(ex, WEB + "index.html", "text/html; charset=utf-8");
        } else if (path.size() == 2 && path.get(0).equals("static")) {
            String type = STATIC.get(path.get(1));
            if (type != null) {
                resource(ex, WEB + path.get(1), type);
            } else if (VENDOR.containsKey(path.get(1)) && UPLOT_DIST != null) {
                resource(ex, UPLOT_DIST + path.get(1), VENDOR.get(path.get(1)));
            } else {
                error(ex, 404, "no such file");
            }
        } else if (path.get(0).equals("api")) {
            api(ex, path.subList(1, path.size()), query);
        } else {
            error(ex, 404, "no such page");
        }
    }

    private void api(HttpExchange ex, List<String> path, Map<String, String> query)
            throws IOException {
        long now = System.currentTimeMillis();
        if (path.equals(List.of("cameras"))) {
            List<Map<String, Object>> l = new ArrayList<>();
            for (CameraState c : state.cameras()) {
                l.add(c.summary(now, settings.palette()));
            }
            json(ex, l);
        } else if (path.equals(List.of("fleet"))) {
            json(ex, fleet(now));
        } else if (path.equals(List.of("events"))) {
            events.serve(ex);
        } else if (path.size() >= 2 && path.size() <= 4 && path.get(0).equals("cameras")) {
            CameraState c = state.find(path.get(1));
            if (c == null) {
                error(ex, 404, "no camera " + path.get(1));
            } else if (path.size() == 2) {
                Map<String, Object> m = c.detail(now, settings.palette());
                Object model = m.get("model");
                String key = model == null ? null : state.keyFor((String) model, c.id());
                m.put("updates", key == null ? List.of() : state.versions(key));
                m.put("rounds", key == null ? List.of() : state.rounds(key));
                Map<String, Object> scale = new LinkedHashMap<>();
                scale.put("minMetres", depthColors.min());
                scale.put("maxMetres", depthColors.max());
                scale.put("ticks", depthColors.ticks(6));
                m.put("depthScale", scale);
                json(ex, m);
            } else if (path.size() == 3) {
                image(ex, c, path.get(2), query);
            } else if (path.get(2).equals("key-frame")) {
                keyFrameImage(ex, c, path.get(3), query);
            } else {
                error(ex, 404, "no such endpoint");
            }
        } else {
            error(ex, 404, "no such endpoint");
        }
    }

    private Map<String, Object> fleet(long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<CameraState> cameras = state.cameras();
        double fps = 0;
        List<Double> latencies = new ArrayList<>();
        List<Map<String, Object>> versions = new ArrayList<>();
        for (CameraState c : cameras) {
            fps += c.predictionsPerSecond(now);
            for (double l : c.latencies()) {
                latencies.add(l);
            }
            Prediction p = c.latestPrediction();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("camera", c.id());
            v.put("model", p == null ? null : p.getModelName());
            v.put("version", p == null ? null : p.getModelVersion());
            v.put("deadLetters", c.deadLetterCount());
            versions.add(v);
        }
        double[] lat = latencies.stream().mapToDouble(Double::doubleValue).toArray();
        m.put("cameras", cameras.size());
        m.put("framesPerSecond", CameraState.round(fps));
        m.put("latencyP50Ms", CameraState.roundOrNull(Samples.quantile(lat, 0.5)));
        m.put("latencyP99Ms", CameraState.roundOrNull(Samples.quantile(lat, 0.99)));
        m.put("deadLetters", state.deadLetterCount());
        m.put("deadLettersLastMinute", state.deadLettersLastMinute(now));
        m.put("versions", versions);
        m.put("models", state.versions());
        m.put("recentDeadLetters", state.deadLetters());
        m.put("adaptation", state.adaptation());
        m.put("unreadableRecords", state.unreadable());
        m.put("records", state.records());
        Map<String, Object> kafka = new LinkedHashMap<>();
        kafka.put("bootstrapServers", settings.bootstrapServers());
        kafka.put("topics", settings.topics());
        kafka.put("partitions", reader.assignedPartitions());
        kafka.put("error", reader.lastError());
        m.put("kafka", kafka);
        m.put("eventClients", events.clients());
        return m;
    }

    private void image(HttpExchange ex, CameraState c, String name, Map<String, String> query)
            throws IOException {
        int w = Math.max(0, Math.min(MAX_WIDTH, intParam(query, "w")));
        Frame f = c.latestFrame();
        Prediction p = c.latestPrediction();
        String key;
        switch (name) {
            case "frame.png" -> {
                if (f == null) {
                    error(ex, 404, "no frame of " + c.id() + " yet");
                    return;
                }
                key = c.id() + "/frame/" + f.getSequence() + "/" + w;
            }
            case "segmentation.png", "depth.png" -> {
                boolean seg = name.startsWith("seg");
                if (p == null || (seg ? p.getSegmentationPng() : p.getDepthPng()).isEmpty()) {
                    error(ex, 404, "no " + name.replace(".png", "") + " of " + c.id() + " yet");
                    return;
                }
                key =
                        c.id()
                                + "/"
                                + name
                                + "/"
                                + p.getSequence()
                                + "/"
                                + w
                                + "/"
                                + query.getOrDefault("overlay", "")
                                + "/"
                                + query.getOrDefault("scale", "");
            }
            default -> {
                error(ex, 404, "no image " + name + " (frame.png, segmentation.png, depth.png)");
                return;
            }
        }
        byte[] png;
        synchronized (images) {
            png = images.get(key);
        }
        if (png == null) {
            try {
                png =
                        switch (name) {
                            case "frame.png" -> Pictures.frame(f, w);
                            case "segmentation.png" -> {
                                double alpha = doubleParam(query, "overlay");
                                yield Pictures.segmentation(
                                        p,
                                        alpha > 0 ? c.frame(p.getSequence()) : null,
                                        w,
                                        Math.min(1, alpha),
                                        settings.palette());
                            }
                            default ->
                                    Pictures.depth(
                                            p, w, depthColors, "1".equals(query.get("scale")));
                        };
            } catch (RuntimeException e) {
                // A record whose maps cannot be decoded: the image is missing, the rest works.
                error(ex, 404, name + " of " + c.id() + " cannot be drawn: " + e.getMessage());
                return;
            }
            synchronized (images) {
                images.put(key, png);
            }
        }
        send(ex, 200, "image/png", png);
    }

    /**
     * The last pseudo-labelled key frame of {@code c}: the frame, the teacher's labels (blended
     * over it; pixels it was not sure of show the frame) and depth (no label: the invalid colour),
     * and the student's segmentation and depth of the same frame.
     */
    private void keyFrameImage(
            HttpExchange ex, CameraState c, String name, Map<String, String> query)
            throws IOException {
        int w = Math.max(0, Math.min(MAX_WIDTH, intParam(query, "w")));
        PseudoLabel k = c.keyFrame();
        Prediction p = c.keyFramePrediction();
        if (k == null) {
            error(ex, 404, "no pseudo-labelled key frame of " + c.id() + " yet");
            return;
        }
        boolean student = name.equals("segmentation.png") || name.equals("student-depth.png");
        if (!List.of("frame.png", "labels.png", "depth.png").contains(name) && !student) {
            error(
                    ex,
                    404,
                    "no key-frame image "
                            + name
                            + " (frame.png, labels.png, depth.png, segmentation.png,"
                            + " student-depth.png)");
            return;
        }
        if (student && p == null) {
            error(
                    ex,
                    404,
                    "the student's prediction of key frame " + k.getSequence() + " was not read");
            return;
        }
        String key =
                c.id()
                        + "/key-frame/"
                        + name
                        + "/"
                        + k.getSequence()
                        + "/"
                        + w
                        + "/"
                        + k.hashCode();
        byte[] png;
        synchronized (images) {
            png = images.get(key);
        }
        if (png == null) {
            try {
                DenseSample frame = PseudoLabels.decode(k);
                png =
                        switch (name) {
                            case "frame.png" ->
                                    Pictures.rgb(frame.rgb(), frame.width(), frame.height(), w);
                            case "labels.png" -> {
                                if (frame.semseg() == null) {
                                    throw new IllegalStateException(
                                            "the key frame has no class labels");
                                }
                                yield Pictures.segmentation(
                                        frame.semseg(),
                                        frame.width(),
                                        frame.height(),
                                        frame,
                                        w,
                                        KEY_FRAME_OVERLAY,
                                        settings.palette());
                            }
                            case "depth.png" -> {
                                if (frame.depth() == null) {
                                    throw new IllegalStateException(
                                            "the key frame has no depth labels");
                                }
                                yield Pictures.depth(
                                        frame.depth(),
                                        frame.width(),
                                        frame.height(),
                                        w,
                                        depthColors,
                                        true);
                            }
                            case "segmentation.png" ->
                                    Pictures.segmentation(
                                            Pictures.classes(p),
                                            p.getWidth(),
                                            p.getHeight(),
                                            frame,
                                            w,
                                            KEY_FRAME_OVERLAY,
                                            settings.palette());
                            default ->
                                    Pictures.depth(
                                            PredictionMaps.depthMetres(
                                                    p.getDepthPng().toByteArray(),
                                                    p.getWidth(),
                                                    p.getHeight()),
                                            p.getWidth(),
                                            p.getHeight(),
                                            w,
                                            depthColors,
                                            true);
                        };
            } catch (RuntimeException e) {
                error(
                        ex,
                        404,
                        "key-frame "
                                + name
                                + " of "
                                + c.id()
                                + " cannot be drawn: "
                                + e.getMessage());
                return;
            }
            synchronized (images) {
                images.put(key, png);
            }
        }
        send(ex, 200, "image/png", png);
    }

    /** The token checked in constant time, or, without one, a loopback {@code Host}. */
    private boolean authorised(HttpExchange ex, Map<String, String> query) {
        if (token == null) {
            return loopbackHost(ex.getRequestHeaders().getFirst("Host"));
        }
        String given = null;
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = auth.substring(7).trim();
        } else if (query.containsKey("token")) {
            given = query.get("token");
        }
        return given != null
                && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }

    private static String uplotDist() {
        try (InputStream in =
                DashboardServer.class.getResourceAsStream(
                        "/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) {
                LOG.warn("dashboard: uPlot's WebJar is not on the class path; no charts");
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return UPLOT + p.getProperty("version") + "/dist/";
        } catch (IOException e) {
            LOG.warn("dashboard: cannot read uPlot's WebJar: {}", e.toString());
            return null;
        }
    }

    static boolean loopbackHost(String host) {
        if (host == null) {
            return true; // HTTP/1.0 without Host: not a browser's request
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            h = h.substring(0, Math.max(1, h.indexOf(']') + 1));
        } else if (h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equals("localhost")
                || h.equals("[::1]")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private void resource(HttpExchange ex, String name, String type) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream(name)) {
            if (in == null) {
                error(ex, 404, "no such file");
                return;
            }
            send(ex, 200, type, in.readAllBytes());
        }
    }

    private void json(HttpExchange ex, Object body) throws IOException {
        send(
                ex,
                200,
                "application/json; charset=utf-8",
                gson.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    private void error(HttpExchange ex, int status, String message) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        send(
                ex,
                status,
                "application/json; charset=utf-8",
                gson.toJson(m).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body)
            throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : kv.substring(eq + 1);
            out.put(
                    URLDecoder.decode(k, StandardCharsets.UTF_8),
                    URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static int intParam(Map<String, String> query, String name) {
        try {
            return Integer.parseInt(query.getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double doubleParam(Map<String, String> query, String name) {
        try {
            double v = Double.parseDouble(query.getOrDefault(name, "0"));
            return Double.isFinite(v) ? v : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
