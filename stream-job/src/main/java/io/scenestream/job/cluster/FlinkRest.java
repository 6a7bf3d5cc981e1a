package io.scenestream.job.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The few calls of Flink's REST API that the cluster tools and the fault tests need: cluster
 * overview, task managers, a job's state and tasks, its checkpoints, cancelling it or stopping it
 * with a savepoint.
 */
public final class FlinkRest {

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param base e.g. {@code http://127.0.0.1:8081}
     */
    public FlinkRest(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** The API's base URL. */
    public String base() {
        return base;
    }

    /** GET {@code path} as JSON; IOException on a connection failure or an error status. */
    public JsonObject get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private JsonObject send(HttpRequest.Builder request) throws IOException {
        HttpResponse<String> r;
        try {
            r =
                    http.send(
                            request.timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted calling " + base, e);
        }
        if (r.statusCode() / 100 != 2) {
            throw new IOException(
                    r.request().method()
                            + " "
                            + r.uri()
                            + ": HTTP "
                            + r.statusCode()
                            + " "
                            + r.body());
        }
        String body = r.body();
        return body.isBlank() ? new JsonObject() : JsonParser.parseString(body).getAsJsonObject();
    }

    /** Whether the REST endpoint answers. */
    public boolean isUp() {
        try {
            get("/overview");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Resource ids of the registered task managers. */
    public List<String> taskManagerIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (JsonElement tm : get("/taskmanagers").getAsJsonArray("taskmanagers")) {
            ids.add(tm.getAsJsonObject().get("id").getAsString());
        }
        return ids;
    }

    /** Free task slots of the cluster. */
    public int freeSlots() throws IOException {
        return get("/overview").get("slots-available").getAsInt();
    }

    /** Id to state ({@code RUNNING}, {@code CANCELED}, ...) of every job the cluster knows. */
    public Map<String, String> jobs() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonElement j : get("/jobs/overview").getAsJsonArray("jobs")) {
            JsonObject o = j.getAsJsonObject();
            out.put(o.get("jid").getAsString(), o.get("state").getAsString());
        }
        return out;
    }

    /** The job's state. */
    public String jobState(String jobId) throws IOException {
        return get("/jobs/" + jobId).get("state").getAsString();
    }

    /** Whether the job is RUNNING with every task of every vertex RUNNING. */
    public boolean allTasksRunning(String jobId) throws IOException {
        JsonObject job = get("/jobs/" + jobId);
        if (!job.get("state").getAsString().equals("RUNNING")) {
            return false;
        }
        for (JsonElement v : job.getAsJsonArray("vertices")) {
            JsonObject vertex = v.getAsJsonObject();
            int parallelism = vertex.get("parallelism").getAsInt();
            JsonElement running = vertex.getAsJsonObject("tasks").get("RUNNING");
            if (running == null || running.getAsInt() != parallelism) {
                return false;
            }
        }
        return true;
    }

    /**
     * The task manager (resource id) of every subtask of the job's vertex whose name contains
     * {@code operator} (a vertex of chained operators is named after all of them), by subtask
     * index.
     */
    public List<String> taskManagersOf(String jobId, String operator) throws IOException {
        JsonObject job = get("/jobs/" + jobId);
        for (JsonElement v : job.getAsJsonArray("vertices")) {
            JsonObject vertex = v.getAsJsonObject();
            if (vertex.get("name").getAsString().contains(operator)) {
                JsonArray subtasks =
                        get("/jobs/" + jobId + "/vertices/" + vertex.get("id").getAsString())
                                .getAsJsonArray("subtasks");
                List<String> out = new ArrayList<>();
                for (JsonElement s : subtasks) {
                    JsonElement tm = s.getAsJsonObject().get("taskmanager-id");
                    out.add(tm == null ? "" : tm.getAsString());
                }
                return out;
            }
        }
        throw new IOException("job " + jobId + " has no vertex with operator " + operator);
    }

    /** Completed checkpoints of the job so far. */
    public int completedCheckpoints(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/checkpoints")
                .getAsJsonObject("counts")
                .get("completed")
                .getAsInt();
    }

    /** Trigger time (epoch ms) of the job's latest completed checkpoint, if any. */
    public OptionalLong latestCompletedCheckpointTime(String jobId) throws IOException {
        JsonElement latest =
                get("/jobs/" + jobId + "/checkpoints").getAsJsonObject("latest").get("completed");
        if (latest == null || latest.isJsonNull()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(latest.getAsJsonObject().get("trigger_timestamp").getAsLong());
    }

    /**
     * The checkpoint the job last restored from: its id and the time (epoch ms) of the restore;
     * empty if it never restored.
     */
    public Optional<long[]> latestRestore(String jobId) throws IOException {
        JsonElement restored =
                get("/jobs/" + jobId + "/checkpoints").getAsJsonObject("latest").get("restored");
        if (restored == null || restored.isJsonNull()) {
            return Optional.empty();
        }
        JsonObject r = restored.getAsJsonObject();
        return Optional.of(
                new long[] {r.get("id").getAsLong(), r.get("restore_timestamp").getAsLong()});
    }

    /**
     * Stops the job with a savepoint in {@code targetDirectory} (sources stop where they are, no
     * end of input is sent), waits until the savepoint is written and returns its location: a new
     * job resumes from it with {@code execution.state-recovery.path}, at this or another
     * parallelism. An IOException with Flink's reason when the savepoint fails, or when it is not
     * written within {@code timeout}.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
            throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("targetDirectory", targetDirectory);
        body.addProperty("drain", false);
        String request =
                send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "/stop"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString())))
                        .get("request-id")
                        .getAsString();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonObject r = get("/jobs/" + jobId + "/savepoints/" + request);
            if (r.getAsJsonObject("status").get("id").getAsString().equals("COMPLETED")) {
                JsonObject operation = r.getAsJsonObject("operation");
                if (operation.has("location")) {
                    return operation.get("location").getAsString();
                }
                throw new IOException(
                        "savepoint of job " + jobId + " failed: " + operation.get("failure-cause"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "savepoint of job "
                                + jobId
                                + " not written within "
                                + timeout.toSeconds()
                                + " s");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the savepoint of " + jobId, e);
            }
        }
    }

    /** Cancels the job (returns once the request is accepted). */
    public void cancel(String jobId) throws IOException {
        send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }
}
