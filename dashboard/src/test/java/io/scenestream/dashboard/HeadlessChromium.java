package io.scenestream.dashboard;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Chromium (Debian's {@code chromium} package) driven through the DevTools protocol over
 * the JDK's WebSocket client: one page, navigated, evaluated in, photographed. For tests.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final List<String> BINARIES =
            List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<String> output = new ArrayList<>();

    /** The browser's binary: $SCENESTREAM_CHROMIUM, or the first of the usual names on PATH. */
    static String binary() {
        String configured = System.getenv("SCENESTREAM_CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : BINARIES) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        throw new IllegalStateException(
                "no Chromium on PATH (looked for "
                        + BINARIES
                        + "): install it (Debian: apt-get install chromium; .ci/run does) or set"
                        + " SCENESTREAM_CHROMIUM");
    }

    HeadlessChromium(Path profile, int width, int height) throws Exception {
        process =
                new ProcessBuilder(
                                binary(),
                                "--headless=new",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-dev-shm-usage",
                                "--no-first-run",
                                "--remote-debugging-port=0",
                                "--user-data-dir=" + profile,
                                "--window-size=" + width + "," + height,
                                "about:blank")
                        .redirectErrorStream(true)
                        .start();
        try {
            URI browser = URI.create(waitForDevTools());
            HttpClient http = HttpClient.newHttpClient();
            URI list =
                    URI.create(
                            "http://" + browser.getHost() + ":" + browser.getPort() + "/json/list");
            String page = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (page == null && System.nanoTime() < deadline) {
                String body =
                        http.send(
                                        HttpRequest.newBuilder(list).build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                for (JsonElement e : JsonParser.parseString(body).getAsJsonArray()) {
                    JsonObject t = e.getAsJsonObject();
                    if ("page".equals(t.get("type").getAsString())) {
                        page = t.get("webSocketDebuggerUrl").getAsString();
                    }
                }
                if (page == null) {
                    Thread.sleep(100);
                }
            }
            if (page == null) {
                throw new IllegalStateException("Chromium opened no page: " + output);
            }
            socket =
                    http.newWebSocketBuilder()
                            .buildAsync(URI.create(page), new Listener())
                            .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Reads the browser's output until it says where DevTools listens. */
    private String waitForDevTools() throws IOException {
        BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            output.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                // Keep draining its output, so that the browser never blocks on a full pipe.
                Thread drain =
                        new Thread(
                                () -> {
                                    try {
                                        while (r.readLine() != null) {
                                            // dropped
                                        }
                                    } catch (IOException e) {
                                        // the browser ended
                                    }
                                },
                                "chromium-output");
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
        }
        throw new IllegalStateException("Chromium ended before DevTools listened: " + output);
    }

    /** Sends a DevTools command and waits for its result. */
    JsonObject call(String method, JsonObject params) throws Exception {
        int id = ids.incrementAndGet();
        JsonObject msg = new JsonObject();
        msg.addProperty("id", id);
        msg.addProperty("method", method);
        msg.add("params", params == null ? new JsonObject() : params);
        CompletableFuture<JsonObject> result = new CompletableFuture<>();
        pending.put(id, result);
        socket.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
        JsonObject reply = result.get(60, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.getAsJsonObject("result");
    }

    void navigate(URI url) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("url", url.toString());
        call("Page.navigate", p);
    }

    /** Evaluates a JavaScript expression in the page (promises awaited); its value as JSON. */
    JsonElement evaluate(String expression) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("expression", expression);
        p.addProperty("returnByValue", true);
        p.addProperty("awaitPromise", true);
        JsonObject r = call("Runtime.evaluate", p);
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
        }
        JsonObject v = r.getAsJsonObject("result");
        return v.has("value") ? v.get("value") : null;
    }

    /** Evaluates {@code expression} until it is true, or fails after {@code timeout}. */
    void waitUntil(String expression, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonElement last = null;
        while (System.nanoTime() < deadline) {
            last = evaluate(expression);
            if (last != null && last.isJsonPrimitive() && last.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not true within " + timeout + ": " + expression);
    }

    /** Sets the size of the page's window, in CSS pixels. */
    void resize(int width, int height) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("width", width);
        p.addProperty("height", height);
        p.addProperty("deviceScaleFactor", 1);
        p.addProperty("mobile", false);
        call("Emulation.setDeviceMetricsOverride", p);
    }

    /**
     * The RGBA pixels of an image or canvas element of the page (the JavaScript expression {@code
     * element}), as the browser decoded or drew them.
     */
    int[] pixels(String element) throws Exception {
        JsonArray a =
                evaluate(
                                "(() => { const e = "
                                        + element
                                        + "; const w = e.naturalWidth || e.width, h ="
                                        + " e.naturalHeight || e.height; const c ="
                                        + " document.createElement('canvas'); c.width = w;"
                                        + " c.height = h; const g = c.getContext('2d');"
                                        + " g.drawImage(e, 0, 0); return [w, h].concat("
                                        + "Array.from(g.getImageData(0, 0, w, h).data)); })()")
                        .getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    /** The page as a PNG, as the browser renders it. */
    byte[] screenshot() throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("format", "png");
        return Base64.getDecoder()
                .decode(call("Page.captureScreenshot", p).get("data").getAsString());
    }

    @Override
    public void close() throws Exception {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the browser goes anyway
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Collects text messages (possibly in parts) and completes the command each answers. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                JsonObject msg = JsonParser.parseString(text.toString()).getAsJsonObject();
                text.setLength(0);
                if (msg.has("id")) {
                    CompletableFuture<JsonObject> f = pending.remove(msg.get("id").getAsInt());
                    if (f != null) {
                        f.complete(msg);
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }
}
