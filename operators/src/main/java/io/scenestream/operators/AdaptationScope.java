package io.scenestream.operators;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which cameras adapt together: the whole fleet as one ({@code fleet}), every camera on its own
 * ({@code camera}), or cameras in groups ({@code group}: all cameras of one room, say), each group
 * named and given by a regular expression over camera ids. A camera no group matches adapts on its
 * own. The key a camera adapts under ({@link #keyOf}) keys self-training's state and the model
 * updates it publishes, and tells inference which adapted parameters serve a camera.
 */
public final class AdaptationScope implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How cameras are put together. */
    public enum Kind {
        FLEET,
        CAMERA,
        GROUP
    }

    /** One scope for every camera: today's default. */
    public static final AdaptationScope FLEET = new AdaptationScope(Kind.FLEET, List.of());

    private record Group(String name, Pattern cameras) implements Serializable {}

    private final Kind kind;
    private final List<Group> groups;

    private AdaptationScope(Kind kind, List<Group> groups) {
        this.kind = kind;
        this.groups = List.copyOf(groups);
    }

    /**
     * A scope from its options.
     *
     * @param kind {@code fleet}, {@code camera} or {@code group}, any case
     * @param groups for {@code group}: {@code name=regex} pairs separated by {@code ;}, e.g. {@code
     *     lobby=lobby-.*;yard=cam-(7|8)}; the first group whose expression matches the whole camera
     *     id wins
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AdaptationScope parse(String kind, String groups) {
        Kind k;
        try {
            k = Kind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "adaptation scope must be fleet, camera or group, got " + kind);
        }
        List<Group> out = new ArrayList<>();
        String table = groups == null ? "" : groups.trim();
        if (k != Kind.GROUP) {
            if (!table.isEmpty()) {
                throw new IllegalArgumentException(
                        "camera groups are given for scope group only, the scope is "
                                + k.name().toLowerCase(Locale.ROOT));
            }
            return k == Kind.FLEET ? FLEET : new AdaptationScope(k, out);
        }
        if (table.isEmpty()) {
            throw new IllegalArgumentException(
                    "scope group needs camera groups: name=regex pairs separated by ';'");
        }
        for (String entry : table.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).trim();
            if (name.isEmpty() || eq == entry.length() - 1) {
                throw new IllegalArgumentException(
                        "camera group '" + entry.trim() + "' is not name=regex");
            }
            if (name.contains("/")) {
                throw new IllegalArgumentException(
                        "camera group name '" + name + "' may not contain '/'");
            }
            try {
                out.add(new Group(name, Pattern.compile(entry.substring(eq + 1).trim())));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "camera group " + name + " has a bad regular expression: " + e.getMessage(),
                        e);
            }
        }
        return new AdaptationScope(k, out);
    }

    public Kind kind() {
        return kind;
    }

    /** Whether every camera shares one adaptation. */
    public boolean isFleet() {
        return kind == Kind.FLEET;
    }

    /**
     * The key {@code cameraId} adapts under: empty for the fleet, the camera id, or its group's
     * name (the camera id when no group matches).
     */
    public String keyOf(String cameraId) {
        return switch (kind) {
            case FLEET -> "";
            case CAMERA -> cameraId;
            case GROUP -> {
                for (Group g : groups) {
                    if (g.cameras().matcher(cameraId).matches()) {
                        yield g.name();
                    }
                }
                yield cameraId;
            }
        };
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT)
                + (groups.isEmpty()
                        ? ""
                        : groups.stream()
                                .map(g -> g.name() + "=" + g.cameras().pattern())
                                .toList()
                                .toString());
    }
}
