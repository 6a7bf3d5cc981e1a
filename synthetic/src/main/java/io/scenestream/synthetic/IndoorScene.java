package io.scenestream.synthetic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One furnished box room: its size, the look of its floor, walls and ceiling, the primitives in it,
 * windows and pictures on its walls, its lights and the furniture footprints the camera avoids.
 * Immutable; holds the acceleration structure the renderer queries. Metres, radians, +y up; the
 * room is {@code [0, width] x [0, height] x [0, depth]} (see the package conventions).
 */
public final class IndoorScene {

    /** How the floor is covered. */
    public enum FloorStyle {
        PLANKS_X,
        PLANKS_Z,
        TILES,
        CARPET
    }

    /** How the walls are decorated. */
    public enum WallStyle {
        PLAIN,
        STRIPES,
        WAINSCOT
    }

    private final long seed;
    private final double width;
    private final double height;
    private final double depth;
    private final FloorStyle floorStyle;
    private final Rgb floorColor;
    private final double floorScale;
    private final WallStyle wallStyle;
    private final Rgb wallColor;
    private final Rgb accentColor;
    private final Rgb ceilingColor;
    private final Rgb trimColor;
    private final List<Primitive> primitives;
    private final List<WallDecal> decals;
    private final List<Light> lights;
    private final List<Footprint> footprints;
    private final double[] sun;
    private final double lampKelvinOffset;
    private final String kind;
    final Bvh bvh;
    private volatile SceneShading shading;

    private IndoorScene(Builder b) {
        seed = b.seed;
        width = b.width;
        height = b.height;
        depth = b.depth;
        floorStyle = b.floorStyle;
        floorColor = b.floorColor;
        floorScale = b.floorScale;
        wallStyle = b.wallStyle;
        wallColor = b.wallColor;
        accentColor = b.accentColor;
        ceilingColor = b.ceilingColor;
        trimColor = b.trimColor;
        primitives = List.copyOf(b.primitives);
        decals = List.copyOf(b.decals);
        lights = List.copyOf(b.lights);
        footprints = List.copyOf(b.footprints);
        sun = b.sun == null ? null : b.sun.clone();
        lampKelvinOffset = b.lampKelvinOffset;
        kind = b.kind;
        bvh = new Bvh(primitives);
    }

    /** The renderer's view of the surfaces and light buffers, built on first use. */
    SceneShading shading() {
        SceneShading s = shading;
        if (s == null) {
            synchronized (this) {
                s = shading;
                if (s == null) {
                    s = new SceneShading(this, bvh);
                    shading = s;
                }
            }
        }
        return s;
    }

    /** A builder for an empty room of the given size (metres). */
    public static Builder builder(double width, double height, double depth) {
        return new Builder(width, height, depth);
    }

    public long seed() {
        return seed;
    }

    /** Extent along x (metres). */
    public double width() {
        return width;
    }

    /** Floor to ceiling (metres). */
    public double height() {
        return height;
    }

    /** Extent along z (metres). */
    public double depth() {
        return depth;
    }

    /** The kind of room the generator drew ("bedroom", "living-room", ...), or "custom". */
    public String kind() {
        return kind;
    }

    public FloorStyle floorStyle() {
        return floorStyle;
    }

    public Rgb floorColor() {
        return floorColor;
    }

    /** Plank width or tile size (metres). */
    public double floorScale() {
        return floorScale;
    }

    public WallStyle wallStyle() {
        return wallStyle;
    }

    public Rgb wallColor() {
        return wallColor;
    }

    /** Stripe or lower-panel colour of decorated walls. */
    public Rgb accentColor() {
        return accentColor;
    }

    public Rgb ceilingColor() {
        return ceilingColor;
    }

    /** Skirting boards and window frames. */
    public Rgb trimColor() {
        return trimColor;
    }

    public List<Primitive> primitives() {
        return primitives;
    }

    public List<WallDecal> decals() {
        return decals;
    }

    public List<Light> lights() {
        return lights;
    }

    public List<Footprint> footprints() {
        return footprints;
    }

    /** Unit direction towards the sun, or null when no sunlight falls into the room. */
    public double[] sun() {
        return sun == null ? null : sun.clone();
    }

    double[] sunDirection() {
        return sun;
    }

    /** This room's lamps are this much warmer (negative) or cooler than the domain's (Kelvin). */
    public double lampKelvinOffset() {
        return lampKelvinOffset;
    }

    /**
     * Whether a camera at ({@code x, z}) is at least {@code wallMargin} inside the walls and {@code
     * furnitureMargin} away from every footprint.
     */
    public boolean isFree(double x, double z, double wallMargin, double furnitureMargin) {
        if (x < wallMargin || z < wallMargin || x > width - wallMargin || z > depth - wallMargin) {
            return false;
        }
        for (Footprint f : footprints) {
            if (f.distance(x, z) < furnitureMargin) {
                return false;
            }
        }
        return true;
    }

    /** Assembles an {@link IndoorScene}. */
    public static final class Builder {
        private final double width;
        private final double height;
        private final double depth;
        private long seed;
        private FloorStyle floorStyle = FloorStyle.PLANKS_X;
        private Rgb floorColor = Rgb.hex(0x9b7653);
        private double floorScale = 0.15;
        private WallStyle wallStyle = WallStyle.PLAIN;
        private Rgb wallColor = Rgb.hex(0xd8d2c4);
        private Rgb accentColor = Rgb.hex(0xb8b2a4);
        private Rgb ceilingColor = Rgb.hex(0xeeeeea);
        private Rgb trimColor = Rgb.hex(0xf2f0ea);
        private final List<Primitive> primitives = new ArrayList<>();
        private final List<WallDecal> decals = new ArrayList<>();
        private final List<Light> lights = new ArrayList<>();
        private final List<Footprint> footprints = new ArrayList<>();
        private double[] sun;
        private double lampKelvinOffset;
        private String kind = "custom";

        private Builder(double width, double height, double depth) {
            if (!(width > 0.5 && height > 0.5 && depth > 0.5)) {
                throw new IllegalArgumentException(
                        "room must be larger than 0.5 m each way, got "
                                + width
                                + " x "
                                + height
                                + " x "
                                + depth);
            }
            this.width = width;
            this.height = height;
            this.depth = depth;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder kind(String kind) {
            this.kind = Objects.requireNonNull(kind);
            return this;
        }

        public Builder floor(FloorStyle style, Rgb color, double scale) {
            this.floorStyle = Objects.requireNonNull(style);
            this.floorColor = Objects.requireNonNull(color);
            if (!(scale > 0)) {
                throw new IllegalArgumentException("floor scale must be positive, got " + scale);
            }
            this.floorScale = scale;
            return this;
        }

        public Builder walls(WallStyle style, Rgb color, Rgb accent) {
            this.wallStyle = Objects.requireNonNull(style);
            this.wallColor = Objects.requireNonNull(color);
            this.accentColor = Objects.requireNonNull(accent);
            return this;
        }

        public Builder ceiling(Rgb color) {
            this.ceilingColor = Objects.requireNonNull(color);
            return this;
        }

        public Builder trim(Rgb color) {
            this.trimColor = Objects.requireNonNull(color);
            return this;
        }

        public Builder add(Primitive p) {
            primitives.add(Objects.requireNonNull(p));
            return this;
        }

        public Builder addAll(List<Primitive> ps) {
            ps.forEach(this::add);
            return this;
        }

        public Builder decal(WallDecal d) {
            double len = d.wall().length(width, depth);
            if (d.a0() < 0 || d.a1() > len || d.y0() < 0 || d.y1() > height) {
                throw new IllegalArgumentException(
                        "decal " + d + " is not on its wall (length " + len + ")");
            }
            decals.add(d);
            return this;
        }

        public Builder light(Light l) {
            boolean inside =
                    l.x() > 0
                            && l.x() < width
                            && l.y() > 0
                            && l.y() < height
                            && l.z() > 0
                            && l.z() < depth;
            if (l.kind() == Light.Kind.LAMP && !inside) {
                throw new IllegalArgumentException("lamp " + l + " is outside the room");
            }
            lights.add(l);
            return this;
        }

        public Builder footprint(Footprint f) {
            footprints.add(Objects.requireNonNull(f));
            return this;
        }

        /** Sunlight from unit direction ({@code x, y, z}) towards the sun (y > 0), or null. */
        public Builder sun(double[] towardsSun) {
            if (towardsSun != null) {
                double n =
                        Math.sqrt(
                                towardsSun[0] * towardsSun[0]
                                        + towardsSun[1] * towardsSun[1]
                                        + towardsSun[2] * towardsSun[2]);
                if (!(n > 0) || towardsSun[1] <= 0) {
                    throw new IllegalArgumentException(
                            "sun direction must point up, got " + Arrays.toString(towardsSun));
                }
                sun = new double[] {towardsSun[0] / n, towardsSun[1] / n, towardsSun[2] / n};
            } else {
                sun = null;
            }
            return this;
        }

        public Builder lampKelvinOffset(double kelvin) {
            this.lampKelvinOffset = kelvin;
            return this;
        }

        public IndoorScene build() {
            return new IndoorScene(this);
        }
    }
}
