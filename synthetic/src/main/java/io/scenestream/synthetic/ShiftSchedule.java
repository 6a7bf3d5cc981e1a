package io.scenestream.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which {@link Domain} a stream is in at each frame: a sequence of segments, each a domain for a
 * number of frames, the last one running on forever. Written as {@code day:300,night:300,haze}
 * (domain:frames, comma-separated; the last segment needs no count, and a count there is ignored),
 * optionally followed by {@code ;blend=N}: then the first N frames of every segment after the first
 * blend from the previous segment's domain into the new one (weight (k + 1) / (N + 1) at the
 * segment's k-th frame), so a shift can be abrupt (N = 0, the default) or gradual. The segment name
 * ({@link #nameAt}) switches at the segment's first frame either way.
 */
public final class ShiftSchedule {

    /**
     * One segment.
     *
     * @param domain its domain
     * @param frames how many frames it lasts; ignored for the last segment
     */
    public record Segment(Domain domain, long frames) {
        public Segment {
            Objects.requireNonNull(domain, "domain");
        }
    }

    private final List<Segment> segments;
    private final int blend;
    private final long[] starts;

    private ShiftSchedule(List<Segment> segments, int blend) {
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a shift schedule needs at least one segment");
        }
        if (blend < 0) {
            throw new IllegalArgumentException("blend must be >= 0 frames, got " + blend);
        }
        this.segments = List.copyOf(segments);
        this.blend = blend;
        starts = new long[segments.size()];
        long at = 0;
        for (int i = 0; i < segments.size(); i++) {
            starts[i] = at;
            if (i < segments.size() - 1) {
                long n = segments.get(i).frames();
                if (n <= 0) {
                    throw new IllegalArgumentException(
                            "segment "
                                    + (i + 1)
                                    + " ("
                                    + segments.get(i).domain().name()
                                    + ") must last at least one frame, got "
                                    + n);
                }
                if (i > 0 && blend > n) {
                    throw new IllegalArgumentException(
                            "blend of "
                                    + blend
                                    + " frames is longer than segment "
                                    + (i + 1)
                                    + " ("
                                    + segments.get(i).domain().name()
                                    + ", "
                                    + n
                                    + " frames)");
                }
                at = Math.addExact(at, n);
            }
        }
    }

    /** One domain forever. */
    public static ShiftSchedule constant(Domain domain) {
        return new ShiftSchedule(List.of(new Segment(domain, 0)), 0);
    }

    /** Segments in order; the last runs on; {@code blend} frames of transition (0: abrupt). */
    public static ShiftSchedule of(List<Segment> segments, int blend) {
        return new ShiftSchedule(segments, blend);
    }

    /**
     * Parses a schedule such as {@code day:300,night:300,haze} or {@code day:300,night;blend=30}.
     * Domain names are those of {@link Domain#named}.
     *
     * @throws IllegalArgumentException naming what is wrong and where
     */
    public static ShiftSchedule parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "empty shift schedule; expected e.g. day:300,night:300,haze");
        }
        String body = spec.trim();
        int blend = 0;
        int semi = body.indexOf(';');
        if (semi >= 0) {
            String opt = body.substring(semi + 1).trim();
            body = body.substring(0, semi).trim();
            if (!opt.startsWith("blend=")) {
                throw new IllegalArgumentException(
                        "shift schedule '"
                                + spec
                                + "': unknown option '"
                                + opt
                                + "'; the only option is blend=FRAMES");
            }
            blend = parseCount(spec, "blend", opt.substring("blend=".length()));
        }
        String[] parts = body.split(",", -1);
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            boolean last = i == parts.length - 1;
            if (part.isEmpty()) {
                throw new IllegalArgumentException(
                        "shift schedule '" + spec + "': segment " + (i + 1) + " is empty");
            }
            int colon = part.indexOf(':');
            String name = colon < 0 ? part : part.substring(0, colon).trim();
            Domain domain;
            try {
                domain = Domain.named(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "shift schedule '" + spec + "', segment " + (i + 1) + ": " + e.getMessage(),
                        e);
            }
            long frames = 0;
            if (colon >= 0) {
                frames =
                        parseCount(
                                spec,
                                "segment " + (i + 1) + " (" + name + ")",
                                part.substring(colon + 1));
                if (frames == 0 && !last) {
                    throw new IllegalArgumentException(
                            "shift schedule '"
                                    + spec
                                    + "': segment "
                                    + (i + 1)
                                    + " ("
                                    + name
                                    + ") must last at least one frame");
                }
            } else if (!last) {
                throw new IllegalArgumentException(
                        "shift schedule '"
                                + spec
                                + "': segment "
                                + (i + 1)
                                + " ("
                                + name
                                + ") needs a frame count, as in "
                                + name
                                + ":300; only the last segment may omit it");
            }
            segments.add(new Segment(domain, frames));
        }
        try {
            return new ShiftSchedule(segments, blend);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "shift schedule '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static int parseCount(String spec, String what, String text) {
        String t = text.trim();
        try {
            int n = Integer.parseInt(t);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "shift schedule '"
                            + spec
                            + "': "
                            + what
                            + " needs a whole number of frames >= 0, got '"
                            + t
                            + "'");
        }
    }

    public List<Segment> segments() {
        return segments;
    }

    /** Frames of transition at the start of each segment after the first. */
    public int blend() {
        return blend;
    }

    /** The index of the segment that frame {@code frame} belongs to. */
    public int segmentAt(long frame) {
        if (frame < 0) {
            throw new IllegalArgumentException("frame must be >= 0, got " + frame);
        }
        int i = starts.length - 1;
        while (i > 0 && frame < starts[i]) {
            i--;
        }
        return i;
    }

    /** The first frame of segment {@code index}. */
    public long startOf(int index) {
        return starts[index];
    }

    /** The name of the domain of the segment frame {@code frame} belongs to. */
    public String nameAt(long frame) {
        return segments.get(segmentAt(frame)).domain().name();
    }

    /** The appearance at frame {@code frame}: the segment's domain, blended during a transition. */
    public Domain domainAt(long frame) {
        int i = segmentAt(frame);
        Domain d = segments.get(i).domain();
        long k = frame - starts[i];
        if (i == 0 || k >= blend) {
            return d;
        }
        return Domain.blend(segments.get(i - 1).domain(), d, (k + 1) / (double) (blend + 1));
    }

    /** The schedule written as {@link #parse} reads it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(segments.get(i).domain().name());
            if (i < segments.size() - 1) {
                sb.append(':').append(segments.get(i).frames());
            }
        }
        if (blend > 0) {
            sb.append(";blend=").append(blend);
        }
        return sb.toString();
    }
}
