package io.scenestream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Who may read the dashboard: loopback without a token; any other address only with one, checked on
 * every request. No broker: the dashboard's consumer points at a port where nothing listens.
 */
class DashboardSecurityTest {

    private static final String NO_BROKER = "127.0.0.1:1";
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void refusesANonLoopbackAddressWithoutAToken() {
        assertThatThrownBy(() -> Dashboard.start(NO_BROKER, "0.0.0.0", 0, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refusing to listen on 0.0.0.0 without a token")
                .hasMessageContaining("--token");
        assertThatThrownBy(() -> Dashboard.start(NO_BROKER, "0.0.0.0", 0, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksTheTokenOnEveryRequestForData() throws Exception {
        try (Dashboard d = Dashboard.start(NO_BROKER, "0.0.0.0", 0, "s3cret")) {
            URI base = URI.create("http://127.0.0.1:" + d.port() + "/");
            assertThat(status(base.resolve("api/cameras"), null)).isEqualTo(401);
            assertThat(status(base.resolve("api/cameras"), "wrong")).isEqualTo(401);
            assertThat(status(base.resolve("api/cameras?token=wrong"), null)).isEqualTo(401);
            assertThat(status(base.resolve("api/cameras/x/frame.png"), null))
                    .as("images too")
                    .isEqualTo(401);
            assertThat(status(base.resolve("api/events"), null)).as("events too").isEqualTo(401);
            assertThat(status(base.resolve("api/cameras"), "s3cret")).isEqualTo(200);
            assertThat(status(base.resolve("api/fleet?token=s3cret"), null)).isEqualTo(200);
            assertThat(status(base.resolve("?token=s3cret"), null)).isEqualTo(200);
            // The page and its scripts carry no camera data, and a browser cannot add the token
            // to the page's own requests for them.
            assertThat(status(base.resolve("static/dashboard.js"), null)).isEqualTo(200);
            assertThat(status(base.resolve("static/uPlot.iife.min.js"), null)).isEqualTo(200);
            assertThat(status(base, null)).isEqualTo(200);
        }
    }

    @Test
    void withoutATokenAnswersOnlyRequestsForALoopbackHost() throws Exception {
        try (Dashboard d = Dashboard.start(NO_BROKER, "127.0.0.1", 0, null)) {
            assertThat(d.url().toString()).isEqualTo("http://127.0.0.1:" + d.port() + "/");
            assertThat(status(d.url().resolve("api/cameras"), null)).isEqualTo(200);
            assertThat(rawStatus(d.port(), "127.0.0.1:" + d.port())).isEqualTo(200);
            assertThat(rawStatus(d.port(), "localhost")).isEqualTo(200);
            // A page on another site whose name was pointed at 127.0.0.1.
            assertThat(rawStatus(d.port(), "attacker.example:" + d.port())).isEqualTo(401);
        }
    }

    @Test
    void thePageFetchesNothingFromOutside() throws Exception {
        Pattern external = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}");
        for (String name : new String[] {"index.html", "dashboard.js", "dashboard.css"}) {
            try (InputStream in =
                    DashboardServer.class.getResourceAsStream(
                            "/io/scenestream/dashboard/web/" + name)) {
                assertThat(in).as(name).isNotNull();
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(external.matcher(text).find())
                        .as(name + " names no other host")
                        .isFalse();
            }
        }
    }

    private int status(URI uri, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (uri.getPath().endsWith("events") && bearer == null) {
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** The status of a GET with the given {@code Host} header, which HttpClient will not set. */
    private static int rawStatus(int port, String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(
                    ("GET /api/cameras HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line =
                    new BufferedReader(
                                    new InputStreamReader(
                                            s.getInputStream(), StandardCharsets.US_ASCII))
                            .readLine();
            return Integer.parseInt(line.split(" ")[1]);
        }
    }
}
