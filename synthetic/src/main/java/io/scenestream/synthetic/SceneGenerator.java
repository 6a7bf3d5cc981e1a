package io.scenestream.synthetic;

import static io.scenestream.synthetic.SyntheticClasses.BED;
import static io.scenestream.synthetic.SyntheticClasses.BOOKS;
import static io.scenestream.synthetic.SyntheticClasses.CHAIR;
import static io.scenestream.synthetic.SyntheticClasses.FLOOR;
import static io.scenestream.synthetic.SyntheticClasses.FURNITURE;
import static io.scenestream.synthetic.SyntheticClasses.OBJECTS;
import static io.scenestream.synthetic.SyntheticClasses.SOFA;
import static io.scenestream.synthetic.SyntheticClasses.TABLE;
import static io.scenestream.synthetic.SyntheticClasses.TV;
import static io.scenestream.synthetic.SyntheticClasses.WINDOW;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws furnished rooms from a seed. A room is 3-7 m wide and deep and 2.4-3.2 m high, one of
 * bedroom, living room, dining room, office or library; it gets 1-3 windows, pictures, ceiling
 * lamps (flush or pendant), and furniture built from boxes, cylinders and spheres: beds with
 * nightstands, sofas and armchairs around a coffee table, a TV on a stand or the wall, tables with
 * chairs round them, desks with chairs, wardrobes, dressers, cabinets, bookshelves full of books,
 * rugs, plants, and small objects on the tops. Large pieces stand on the floor against the walls
 * (or in the middle for tables), never overlap each other or the walls, and never block a window
 * with anything taller than its sill. The layout always leaves a connected free area for the
 * camera.
 *
 * <p>Same seed, same room: {@link #generate(long)} is a pure function.
 *
 * <p>One file: the room grammar (layout, furniture, decals, lights) is one set of rules that place
 * objects relative to each other and draw from one random stream, so that a seed always gives the
 * same room.
 */
public final class SceneGenerator {

    /** The camera keeps this far from the walls (metres). */
    public static final double CAMERA_WALL_MARGIN = 0.5;

    /** The camera keeps this far from furniture footprints (metres). */
    public static final double CAMERA_FURNITURE_MARGIN = 0.45;

    /** A room keeps at least this much connected free floor for the camera (m^2). */
    static final double MIN_FREE_AREA = 1.5;

    private static final String[] KINDS = {
        "bedroom", "living-room", "dining-room", "office", "library"
    };
    private static final double[] KIND_WEIGHTS = {0.25, 0.3, 0.17, 0.18, 0.1};

    private static final int[] WOODS = {
        0xb08d57, 0xd2b48c, 0x5d4037, 0x8b4a2b, 0xe3d5b8, 0x3e2c23, 0x8a8178, 0xa0703c
    };
    private static final int[] PAINTS = {
        0xeeeeea, 0x2a2a2a, 0x8c8c8c, 0x2f3e56, 0x8a9a7b, 0xe8dcc0, 0xf5f5f0, 0x5a4a42
    };
    private static final int[] FABRICS = {
        0x7d7d7d, 0xc8b89a, 0x4a6a8a, 0x5b7355, 0x8b3a3a, 0x6b4f3a, 0x3c3c3c, 0xc49a3a, 0x2f6f6f,
        0xa8a098, 0x6d5a7a
    };
    private static final int[] BEDDINGS = {
        0xf0f0ec, 0xeadfc8, 0xb5c8dc, 0xa9a9a9, 0xdcb8b8, 0xc9d6c0, 0x8795aa, 0xe6d2a8
    };
    private static final int[] WALLS = {
        0xe8e4da, 0xd9ccb4, 0xc9c9c4, 0xb9c8d4, 0xc4d1b8, 0xe5d3a1, 0xdec3bb, 0xf0efeb, 0x9fb0bc,
        0xd6c7b0
    };
    private static final int[] PLANKS = {
        0xa67c52, 0xc9a77c, 0x6b4a2f, 0x8f8478, 0xb8906a, 0x9c6b43
    };
    private static final int[] TILES = {0xd8d4cc, 0xb0a89a, 0x8a8680, 0xe8e0d0, 0x9a8f85};
    private static final int[] CARPETS = {
        0x8c8274, 0x6a7380, 0xa89f8c, 0x5c5047, 0x7a6a5a, 0x4f5a4c
    };
    private static final int[] CERAMICS = {
        0xf2f2ee, 0x2f4f7f, 0xb5553a, 0x3a6b5a, 0xe0c080, 0x1e1e1e, 0x9bb5c9
    };
    private static final int[] STEELS = {0x9a9a9a, 0x303030, 0xe8e8e8};
    private static final int[] PAPERS = {0xfafaf5, 0xf5e9a0, 0xd8e8f0, 0xf0d0d0};
    private static final int[] PLASTICS = {
        0xd03030, 0x2060c0, 0xf0c020, 0x30a050, 0xf0f0f0, 0x202020, 0xe07020
    };

    private SceneGenerator() {}

    /** The room of {@code seed}, {@linkplain Furnishing#SPARSE sparsely furnished}. */
    public static IndoorScene generate(long seed) {
        return generate(seed, Furnishing.SPARSE);
    }

    /**
     * The room of {@code seed}, furnished as {@code furnishing} says. A lived-in room is the sparse
     * room of the same seed with more things added: the same shell, windows and furniture.
     */
    public static IndoorScene generate(long seed, Furnishing furnishing) {
        SplittableRandom rnd = new SplittableRandom(Noise.mix(seed ^ 0x5ce4e5eedL));
        String kind = pick(rnd, KINDS, KIND_WEIGHTS);
        // Rooms with many pieces need some size; draw until the layout leaves room for the camera.
        for (int attempt = 0; attempt < 50; attempt++) {
            Layout layout = new Layout(rnd.split(), seed, kind, attempt, furnishing);
            if (layout.build()) {
                return layout.scene();
            }
        }
        throw new IllegalStateException("no layout with room for the camera for seed " + seed);
    }

    private static String pick(SplittableRandom rnd, String[] names, double[] weights) {
        double u = rnd.nextDouble();
        for (int i = 0; i < names.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return names[i];
            }
        }
        return names[names.length - 1];
    }

    private static Rgb hexOf(SplittableRandom rnd, int[] palette) {
        return Rgb.hex(palette[rnd.nextInt(palette.length)]);
    }

    /** A colour from hue, saturation, value (all 0..1), linear. */
    static Rgb hsv(double h, double s, double v) {
        double hh = (h - Math.floor(h)) * 6;
        int i = (int) hh;
        double f = hh - i;
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        double[] c =
                switch (i) {
                    case 0 -> new double[] {v, t, p};
                    case 1 -> new double[] {q, v, p};
                    case 2 -> new double[] {p, v, t};
                    case 3 -> new double[] {p, q, v};
                    case 4 -> new double[] {t, p, v};
                    default -> new double[] {v, p, q};
                };
        return new Rgb(Rgb.srgbToLinear(c[0]), Rgb.srgbToLinear(c[1]), Rgb.srgbToLinear(c[2]));
    }

    /**
     * A piece of furniture under construction, in its own frame: x across, z to the front, y up.
     */
    static final class Piece {
        final double ox;
        final double oz;
        final double yaw;
        final double c;
        final double s;
        final List<Primitive> prims = new ArrayList<>();
        final List<double[]> tops = new ArrayList<>();
        final SplittableRandom rnd;
        Footprint footprint;
        boolean optional = true;

        Piece(double ox, double oz, double yaw, SplittableRandom rnd) {
            this.ox = ox;
            this.oz = oz;
            this.yaw = yaw;
            this.c = Math.cos(yaw);
            this.s = Math.sin(yaw);
            this.rnd = rnd;
        }

        double wx(double lx, double lz) {
            return ox + c * lx + s * lz;
        }

        double wz(double lx, double lz) {
            return oz - s * lx + c * lz;
        }

        /** A box between local corners, turned by the piece's yaw plus {@code extraYaw}. */
        Piece box(
                double x0,
                double y0,
                double z0,
                double x1,
                double y1,
                double z1,
                double extraYaw,
                int cls,
                Material m,
                Rgb color) {
            return box(x0, y0, z0, x1, y1, z1, extraYaw, cls, m, color, rnd.nextLong());
        }

        Piece box(
                double x0,
                double y0,
                double z0,
                double x1,
                double y1,
                double z1,
                double extraYaw,
                int cls,
                Material m,
                Rgb color,
                long textureSeed) {
            double cx = (x0 + x1) / 2;
            double cz = (z0 + z1) / 2;
            prims.add(
                    Primitive.box(
                            wx(cx, cz),
                            (y0 + y1) / 2,
                            wz(cx, cz),
                            Math.abs(x1 - x0) / 2,
                            Math.abs(y1 - y0) / 2,
                            Math.abs(z1 - z0) / 2,
                            yaw + extraYaw,
                            cls,
                            m,
                            color,
                            textureSeed));
            return this;
        }

        Piece box(
                double x0,
                double y0,
                double z0,
                double x1,
                double y1,
                double z1,
                int cls,
                Material m,
                Rgb color) {
            return box(x0, y0, z0, x1, y1, z1, 0, cls, m, color);
        }

        Piece cylinder(
                double lx,
                double y0,
                double lz,
                double r,
                double h,
                int cls,
                Material m,
                Rgb color) {
            prims.add(
                    Primitive.cylinder(
                            wx(lx, lz), y0, wz(lx, lz), r, h, cls, m, color, rnd.nextLong()));
            return this;
        }

        Piece sphere(double lx, double y, double lz, double r, int cls, Material m, Rgb color) {
            prims.add(
                    Primitive.sphere(wx(lx, lz), y, wz(lx, lz), r, cls, m, color, rnd.nextLong()));
            return this;
        }

        /** A surface small objects may stand on: local rectangle at height {@code y}. */
        Piece top(double x0, double z0, double x1, double z1, double y) {
            tops.add(new double[] {x0, z0, x1, z1, y});
            return this;
        }

        Piece footprint(double halfWidth, double halfDepth, double height) {
            footprint = new Footprint(ox, oz, halfWidth, halfDepth, yaw, height);
            return this;
        }

        Piece required() {
            optional = false;
            return this;
        }
    }

    /** One attempt at laying out a room. */
    private static final class Layout {
        final SplittableRandom rnd;
        final long seed;
        final String kind;
        final Furnishing furnishing;
        final double width;
        final double height;
        final double depth;
        final List<WallDecal> windows = new ArrayList<>();
        final List<WallDecal> pictures = new ArrayList<>();
        final List<Piece> pieces = new ArrayList<>();

        /** Pieces on the walls (no footprint): floating shelves. */
        final List<Piece> hanging = new ArrayList<>();

        final List<WallDecal> shelves = new ArrayList<>();
        final List<Primitive> fixed = new ArrayList<>();
        final List<Light> lights = new ArrayList<>();

        /** Small objects on each top (x, z, radius), by top. */
        final Map<double[], List<double[]>> placedOnTops = new IdentityHashMap<>();

        final Rgb woodMain;
        final Rgb fabricMain;
        IndoorScene.Builder builder;

        Layout(SplittableRandom rnd, long seed, String kind, int attempt, Furnishing furnishing) {
            this.rnd = rnd;
            this.seed = seed;
            this.kind = kind;
            this.furnishing = furnishing;
            double min =
                    switch (kind) {
                        case "bedroom", "office" -> 3.0;
                        default -> 3.4;
                    };
            // Later attempts draw larger rooms.
            min = Math.min(6.0, min + 0.3 * attempt);
            width = min + rnd.nextDouble() * (7 - min);
            depth = min + rnd.nextDouble() * (7 - min);
            height = 2.4 + rnd.nextDouble() * 0.8;
            woodMain = hexOf(rnd, WOODS);
            fabricMain = hexOf(rnd, FABRICS);
        }

        boolean build() {
            room();
            windows();
            switch (kind) {
                case "bedroom" -> bedroom();
                case "living-room" -> livingRoom();
                case "dining-room" -> diningRoom();
                case "office" -> office();
                default -> library();
            }
            extras();
            // Drop optional pieces, newest first, until the camera has room.
            while (freeArea() < MIN_FREE_AREA) {
                int last = -1;
                for (int i = pieces.size() - 1; i >= 0; i--) {
                    if (pieces.get(i).optional) {
                        last = i;
                        break;
                    }
                }
                if (last < 0) {
                    return false;
                }
                pieces.remove(last);
            }
            wallShelves();
            pictures();
            lamps();
            smallObjects();
            if (furnishing == Furnishing.LIVED_IN) {
                livedIn();
            }
            return true;
        }

        IndoorScene scene() {
            for (WallDecal w : windows) {
                builder.decal(w);
            }
            for (WallDecal p : pictures) {
                builder.decal(p);
            }
            builder.addAll(fixed);
            for (Piece p : pieces) {
                builder.addAll(p.prims);
                if (p.footprint != null) {
                    builder.footprint(p.footprint);
                }
            }
            for (Piece p : hanging) {
                builder.addAll(p.prims);
            }
            lights.forEach(builder::light);
            return builder.build();
        }

        // ---- the shell -------------------------------------------------------------------------

        void room() {
            builder = IndoorScene.builder(width, height, depth).seed(seed).kind(kind);
            double f = rnd.nextDouble();
            if (f < 0.55) {
                builder.floor(
                        rnd.nextBoolean()
                                ? IndoorScene.FloorStyle.PLANKS_X
                                : IndoorScene.FloorStyle.PLANKS_Z,
                        hexOf(rnd, PLANKS),
                        0.1 + 0.1 * rnd.nextDouble());
            } else if (f < 0.8) {
                builder.floor(
                        IndoorScene.FloorStyle.TILES,
                        hexOf(rnd, TILES),
                        0.3 + 0.3 * rnd.nextDouble());
            } else {
                builder.floor(IndoorScene.FloorStyle.CARPET, hexOf(rnd, CARPETS), 1);
            }
            Rgb wall = hexOf(rnd, WALLS);
            double w = rnd.nextDouble();
            IndoorScene.WallStyle style =
                    w < 0.7
                            ? IndoorScene.WallStyle.PLAIN
                            : w < 0.85
                                    ? IndoorScene.WallStyle.STRIPES
                                    : IndoorScene.WallStyle.WAINSCOT;
            Rgb accent =
                    style == IndoorScene.WallStyle.WAINSCOT ? hexOf(rnd, WALLS) : wall.times(0.85);
            builder.walls(style, wall, accent);
            builder.ceiling(Rgb.hex(rnd.nextDouble() < 0.8 ? 0xf0efeb : 0xe6e0d4));
            builder.trim(
                    Rgb.hex(
                            rnd.nextDouble() < 0.7
                                    ? 0xf2f0ea
                                    : PLANKS[rnd.nextInt(PLANKS.length)]));
            builder.lampKelvinOffset(rnd.nextDouble() * 800 - 400);
        }

        void windows() {
            int count = 1 + rnd.nextInt(3);
            Wall[] walls = Wall.values();
            for (int i = 0; i < count * 10 && windows.size() < count; i++) {
                Wall wall = walls[rnd.nextInt(4)];
                double len = wall.length(width, depth);
                double w = 0.8 + rnd.nextDouble() * 1.2;
                if (w > len - 0.8) {
                    continue;
                }
                double sill = 0.6 + rnd.nextDouble() * 0.4;
                double top = Math.min(height - 0.2, sill + 1.0 + rnd.nextDouble() * 0.7);
                double a0 = 0.4 + rnd.nextDouble() * (len - 0.8 - w);
                WallDecal d =
                        new WallDecal(
                                WallDecal.Kind.WINDOW, wall, a0, a0 + w, sill, top, rnd.nextLong());
                boolean clash = false;
                for (WallDecal o : windows) {
                    clash |= o.wall() == wall && o.overlapsAlong(d.a0(), d.a1(), 0.5);
                }
                if (!clash) {
                    windows.add(d);
                }
            }
            for (WallDecal d : windows) {
                // A sill below the glass, and the daylight coming in.
                double ac = (d.a0() + d.a1()) / 2;
                double half = (d.a1() - d.a0()) / 2 + 0.05;
                double[] p0 = wallPoint(d.wall(), ac, 0);
                Piece sill = new Piece(p0[0], p0[1], d.wall().facingYaw(), rnd);
                sill.box(
                        -half,
                        d.y0() - 0.04,
                        -0.01,
                        half,
                        d.y0(),
                        0.07,
                        WINDOW,
                        Material.PAINT,
                        Rgb.hex(0xf0efe8));
                fixed.addAll(sill.prims);
                // Daylight comes from outside, 1 m behind the glass (softer falloff and smaller
                // shadows than a source at the window).
                double[] lp = wallPoint(d.wall(), ac, -1.0);
                double area = (d.a1() - d.a0()) * (d.y1() - d.y0());
                lights.add(
                        new Light(
                                Light.Kind.WINDOW,
                                lp[0],
                                (d.y0() + d.y1()) / 2,
                                lp[1],
                                4.0 * area,
                                d.wall().nx,
                                d.wall().nz));
            }
            if (!windows.isEmpty() && rnd.nextDouble() < 0.7) {
                WallDecal w = windows.get(rnd.nextInt(windows.size()));
                double elevation = 0.35 + rnd.nextDouble() * 0.45;
                double azimuth = rnd.nextDouble() * 1.2 - 0.6;
                // Outward normal and the wall's direction.
                double outX = -w.wall().nx;
                double outZ = -w.wall().nz;
                double tx = -outZ;
                double tz = outX;
                double h = Math.cos(elevation);
                builder.sun(
                        new double[] {
                            h * (Math.cos(azimuth) * outX + Math.sin(azimuth) * tx),
                            Math.sin(elevation),
                            h * (Math.cos(azimuth) * outZ + Math.sin(azimuth) * tz)
                        });
            }
        }

        /** World (x, z) of the point {@code a} along {@code wall}, {@code inset} into the room. */
        double[] wallPoint(Wall wall, double a, double inset) {
            return switch (wall) {
                case SOUTH -> new double[] {a, inset};
                case EAST -> new double[] {width - inset, a};
                case NORTH -> new double[] {a, depth - inset};
                case WEST -> new double[] {inset, a};
            };
        }

        // ---- placement -------------------------------------------------------------------------

        /**
         * Whether a footprint fits: inside the room, clear of other pieces and of windows if tall.
         */
        boolean fits(Footprint f, double gap, Piece... ignore) {
            double[] b = f.bounds();
            if (b[0] < -1e-9 || b[1] < -1e-9 || b[2] > width + 1e-9 || b[3] > depth + 1e-9) {
                return false;
            }
            outer:
            for (Piece p : pieces) {
                for (Piece q : ignore) {
                    if (p == q) {
                        continue outer;
                    }
                }
                if (p.footprint != null && p.footprint.overlaps(f, gap)) {
                    return false;
                }
            }
            for (WallDecal w : windows) {
                if (f.height() > w.y0() - 0.03 && nearWall(b, w.wall(), 0.35)) {
                    double lo = w.wall().alongX() ? b[0] : b[1];
                    double hi = w.wall().alongX() ? b[2] : b[3];
                    if (w.overlapsAlong(lo, hi, 0.1)) {
                        return false;
                    }
                }
            }
            return true;
        }

        boolean nearWall(double[] b, Wall wall, double within) {
            return switch (wall) {
                case SOUTH -> b[1] < within;
                case EAST -> b[2] > width - within;
                case NORTH -> b[3] > depth - within;
                case WEST -> b[0] < within;
            };
        }

        /** A piece w wide and d deep standing against a random wall, or null. */
        Piece againstWall(double w, double d, double h, Wall preferred) {
            for (int i = 0; i < 40; i++) {
                Wall wall = preferred != null && i < 20 ? preferred : Wall.values()[rnd.nextInt(4)];
                double len = wall.length(width, depth);
                if (w > len - 0.1) {
                    continue;
                }
                double a = w / 2 + 0.03 + rnd.nextDouble() * (len - w - 0.06);
                Piece p = atWall(wall, a, w, d, h);
                if (fits(p.footprint, 0.05)) {
                    return p;
                }
            }
            return null;
        }

        Piece atWall(Wall wall, double a, double w, double d, double h) {
            double gap = 0.01 + 0.02 * rnd.nextDouble();
            double[] o = wallPoint(wall, a, d / 2 + gap);
            return new Piece(o[0], o[1], wall.facingYaw(), rnd.split()).footprint(w / 2, d / 2, h);
        }

        /** A piece standing freely at a random free spot, turned to face the room centre. */
        Piece freeStanding(double w, double d, double h) {
            for (int i = 0; i < 40; i++) {
                double x = 0.3 + w / 2 + rnd.nextDouble() * (width - 0.6 - w);
                double z = 0.3 + d / 2 + rnd.nextDouble() * (depth - 0.6 - d);
                double yaw =
                        Math.atan2(width / 2 - x, depth / 2 - z) + (rnd.nextDouble() - 0.5) * 0.6;
                Piece p = new Piece(x, z, yaw, rnd.split()).footprint(w / 2, d / 2, h);
                if (fits(p.footprint, 0.1)) {
                    return p;
                }
            }
            return null;
        }

        void add(Piece p) {
            if (p != null) {
                pieces.add(p);
            }
        }

        /** Connected free floor area around the best camera start (m^2), on a 10 cm grid. */
        double freeArea() {
            List<Footprint> fps = new ArrayList<>();
            for (Piece p : pieces) {
                if (p.footprint != null) {
                    fps.add(p.footprint);
                }
            }
            return CameraPath.largestFreeRegion(width, depth, fps, 0.1).size() * 0.01;
        }

        // ---- rooms -----------------------------------------------------------------------------

        void bedroom() {
            boolean dbl = rnd.nextDouble() < 0.65 && Math.min(width, depth) > 3.2;
            double bw = dbl ? 1.4 + rnd.nextDouble() * 0.4 : 0.9 + rnd.nextDouble() * 0.15;
            double bl = 1.95 + rnd.nextDouble() * 0.2;
            Piece bed = againstWall(bw, bl, 1.1, null);
            if (bed != null) {
                bed(bed, bw, bl);
                add(bed.required());
                // Nightstands on one or both sides, along the same wall.
                Wall wall = wallOf(bed);
                double a = alongOf(wall, bed.ox, bed.oz);
                int sides = dbl ? 1 + rnd.nextInt(2) : rnd.nextInt(2);
                double first = rnd.nextBoolean() ? 1 : -1;
                for (int k = 0; k < sides; k++) {
                    double nw = 0.4 + rnd.nextDouble() * 0.12;
                    double nd = 0.35 + rnd.nextDouble() * 0.1;
                    double na = a + (k == 0 ? first : -first) * (bw / 2 + nw / 2 + 0.04);
                    Piece ns = atWall(wall, na, nw, nd, 0.6);
                    if (fits(ns.footprint, 0.02)) {
                        cabinet(ns, nw, nd, 0.5 + rnd.nextDouble() * 0.12, true);
                        if (rnd.nextDouble() < 0.7) {
                            tableLamp(ns, 0, 0, ns.tops.get(0)[4]);
                        }
                        add(ns);
                    }
                }
            }
            if (rnd.nextDouble() < 0.7) {
                double w = 0.9 + rnd.nextDouble() * 0.8;
                Piece p = againstWall(w, 0.58, 2.2, null);
                if (p != null) {
                    cabinet(
                            p,
                            w,
                            0.58,
                            Math.min(height - 0.25, 1.8 + rnd.nextDouble() * 0.4),
                            false);
                    add(p);
                }
            }
            if (rnd.nextDouble() < 0.6) {
                dresser(rnd.nextDouble() < 0.3);
            }
            if (rnd.nextDouble() < 0.4) {
                deskWithChair();
            }
            if (rnd.nextDouble() < 0.35) {
                bookshelf();
            }
            if (rnd.nextDouble() < 0.25) {
                armchair();
            }
        }

        void livingRoom() {
            double sw = 1.6 + rnd.nextDouble() * 0.7;
            double sd = 0.85 + rnd.nextDouble() * 0.12;
            Piece sofa = againstWall(sw, sd, 0.9, null);
            if (sofa != null) {
                sofa(sofa, sw, sd, SOFA);
                add(sofa.required());
                if (rnd.nextDouble() < 0.85) {
                    double tw = 0.8 + rnd.nextDouble() * 0.4;
                    double td = 0.45 + rnd.nextDouble() * 0.25;
                    double gap = 0.35 + rnd.nextDouble() * 0.2;
                    double lx = (rnd.nextDouble() - 0.5) * 0.3;
                    double lz = sd / 2 + gap + td / 2;
                    Piece t =
                            new Piece(sofa.wx(lx, lz), sofa.wz(lx, lz), sofa.yaw, rnd.split())
                                    .footprint(tw / 2, td / 2, 0.5);
                    if (fits(t.footprint, 0.05)) {
                        table(t, tw, td, 0.4 + rnd.nextDouble() * 0.08, TABLE);
                        add(t);
                    }
                }
                // The TV faces the sofa from the opposite wall when it can.
                Wall opposite = Wall.values()[(wallOf(sofa).ordinal() + 2) % 4];
                tvCorner(opposite);
            } else {
                tvCorner(null);
            }
            int shelves = rnd.nextInt(3);
            for (int i = 0; i < shelves; i++) {
                bookshelf();
            }
            int chairs = rnd.nextInt(3);
            for (int i = 0; i < chairs; i++) {
                armchair();
            }
            if (rnd.nextDouble() < 0.5) {
                sideTable();
            }
            if (rnd.nextDouble() < 0.5) {
                dresser(false);
            }
        }

        void diningRoom() {
            diningTable();
            if (rnd.nextDouble() < 0.8) {
                dresser(false);
            }
            if (rnd.nextDouble() < 0.4) {
                bookshelf();
            }
            if (rnd.nextDouble() < 0.5) {
                double w = 0.6 + rnd.nextDouble() * 0.5;
                Piece p = againstWall(w, 0.45, 2.0, null);
                if (p != null) {
                    cabinet(
                            p,
                            w,
                            0.45,
                            Math.min(height - 0.3, 1.6 + rnd.nextDouble() * 0.4),
                            false);
                    add(p);
                }
            }
            if (rnd.nextDouble() < 0.3) {
                tvCorner(null);
            }
        }

        void office() {
            deskWithChair();
            if (rnd.nextDouble() < 0.5) {
                deskWithChair();
            }
            int shelves = 1 + rnd.nextInt(3);
            for (int i = 0; i < shelves; i++) {
                bookshelf();
            }
            if (rnd.nextDouble() < 0.6) {
                dresser(false);
            }
            if (rnd.nextDouble() < 0.3) {
                double sw = 1.4 + rnd.nextDouble() * 0.4;
                Piece sofa = againstWall(sw, 0.85, 0.9, null);
                if (sofa != null) {
                    sofa(sofa, sw, 0.85, SOFA);
                    add(sofa);
                }
            }
            if (rnd.nextDouble() < 0.3) {
                tvCorner(null);
            }
        }

        void library() {
            int shelves = 3 + rnd.nextInt(4);
            for (int i = 0; i < shelves; i++) {
                bookshelf();
            }
            diningTable();
            if (rnd.nextDouble() < 0.5) {
                armchair();
            }
        }

        void extras() {
            if (rnd.nextDouble() < 0.5) {
                rug();
            }
            int plants = rnd.nextInt(3);
            for (int i = 0; i < plants; i++) {
                floorPlant();
            }
            if (rnd.nextDouble() < 0.3) {
                floorLamp();
            }
            int clutter = rnd.nextInt(5);
            for (int i = 0; i < clutter; i++) {
                if (rnd.nextBoolean()) {
                    floorBoxes();
                } else {
                    floorBin();
                }
            }
        }

        Wall wallOf(Piece p) {
            double y = p.yaw;
            for (Wall w : Wall.values()) {
                if (Math.abs(Math.IEEEremainder(w.facingYaw() - y, 2 * Math.PI)) < 1e-6) {
                    return w;
                }
            }
            return Wall.SOUTH;
        }

        double alongOf(Wall wall, double x, double z) {
            return wall.alongX() ? x : z;
        }

        // ---- furniture builders (local frame: x across, z to the front, y up) ------------------

        void bed(Piece p, double w, double l) {
            Rgb frame = rnd.nextDouble() < 0.6 ? woodMain : hexOf(rnd, PAINTS);
            Material fm = rnd.nextDouble() < 0.6 ? Material.WOOD : Material.PAINT;
            double hw = w / 2;
            double hl = l / 2;
            double frameTop = 0.25 + rnd.nextDouble() * 0.12;
            p.box(-hw, 0, -hl + 0.06, hw, frameTop, hl, BED, fm, frame);
            double mt = frameTop + 0.18 + rnd.nextDouble() * 0.06;
            p.box(
                    -hw + 0.03,
                    frameTop,
                    -hl + 0.08,
                    hw - 0.03,
                    mt,
                    hl - 0.02,
                    BED,
                    Material.BEDDING,
                    Rgb.hex(0xf4f2ec));
            // Duvet over the lower part, hanging a little over the sides.
            Rgb duvet = hexOf(rnd, BEDDINGS);
            double dz0 = -hl + 0.45 + rnd.nextDouble() * 0.2;
            p.box(
                    -hw - 0.02,
                    frameTop + 0.05,
                    dz0,
                    hw + 0.02,
                    mt + 0.05,
                    hl + 0.02,
                    BED,
                    Material.BEDDING,
                    duvet);
            // Headboard.
            double hb = 0.85 + rnd.nextDouble() * 0.4;
            boolean soft = rnd.nextDouble() < 0.4;
            p.box(
                    -hw - 0.02,
                    0,
                    -hl,
                    hw + 0.02,
                    hb,
                    -hl + 0.06,
                    BED,
                    soft ? Material.FABRIC : fm,
                    soft ? fabricMain : frame);
            int pillows = w > 1.2 ? 2 : 1;
            Rgb pc = rnd.nextBoolean() ? Rgb.hex(0xf4f2ec) : duvet.lerp(Rgb.WHITE, 0.4);
            for (int i = 0; i < pillows; i++) {
                double cx = pillows == 1 ? 0 : (i == 0 ? -w / 4 : w / 4);
                double pw = Math.min(0.3, w / (2 * pillows) - 0.04);
                p.box(
                        cx - pw,
                        mt,
                        -hl + 0.1,
                        cx + pw,
                        mt + 0.12,
                        -hl + 0.45,
                        (rnd.nextDouble() - 0.5) * 0.12,
                        BED,
                        Material.BEDDING,
                        pc);
            }
        }

        /** A cabinet: nightstand / dresser (drawers) or wardrobe / cupboard (doors). */
        void cabinet(Piece p, double w, double d, double h, boolean drawers) {
            boolean wood = rnd.nextDouble() < 0.55;
            Rgb col = wood ? woodMain : hexOf(rnd, PAINTS);
            Material m = wood ? Material.WOOD : Material.PAINT;
            double plinth = 0.05 + rnd.nextDouble() * 0.05;
            p.box(
                    -w / 2 + 0.02,
                    0,
                    -d / 2,
                    w / 2 - 0.02,
                    plinth,
                    d / 2 - 0.03,
                    FURNITURE,
                    m,
                    col.times(0.6));
            // The body carries the door or drawer grooves (PAINT / WOOD panel fronts, see the
            // shader).
            p.box(
                    -w / 2,
                    plinth,
                    -d / 2,
                    w / 2,
                    h - 0.02,
                    d / 2,
                    0,
                    FURNITURE,
                    m,
                    col,
                    (rnd.nextLong() & ~1L) | (drawers ? 1 : 0));
            p.box(
                    -w / 2 - 0.01,
                    h - 0.02,
                    -d / 2,
                    w / 2 + 0.01,
                    h,
                    d / 2 + 0.01,
                    FURNITURE,
                    m,
                    col.times(0.9));
            // Handles.
            Rgb metal = Rgb.hex(0xb0b0b0);
            int rows = drawers ? Math.max(1, (int) ((h - plinth) / 0.22)) : 1;
            for (int r = 0; r < rows; r++) {
                double y =
                        drawers
                                ? plinth + (r + 0.5) * (h - plinth) / rows
                                : plinth + (h - plinth) * 0.55;
                if (drawers) {
                    p.box(
                            -0.06,
                            y - 0.01,
                            d / 2,
                            0.06,
                            y + 0.01,
                            d / 2 + 0.02,
                            FURNITURE,
                            Material.METAL,
                            metal);
                } else {
                    int doors = w > 0.7 ? 2 : 1;
                    for (int k = 0; k < doors; k++) {
                        double x = doors == 1 ? w / 2 - 0.08 : (k == 0 ? -0.04 : 0.04);
                        p.box(
                                x - 0.01,
                                y - 0.1,
                                d / 2,
                                x + 0.01,
                                y + 0.1,
                                d / 2 + 0.02,
                                FURNITURE,
                                Material.METAL,
                                metal);
                    }
                }
            }
            p.top(-w / 2 + 0.05, -d / 2 + 0.05, w / 2 - 0.05, d / 2 - 0.05, h);
        }

        void dresser(boolean withTv) {
            double w = 0.8 + rnd.nextDouble() * 0.9;
            double d = 0.42 + rnd.nextDouble() * 0.1;
            double h = 0.75 + rnd.nextDouble() * 0.25;
            Piece p = againstWall(w, d, h, null);
            if (p == null) {
                return;
            }
            cabinet(p, w, d, h, rnd.nextBoolean());
            if (withTv && w > 0.9) {
                tv(p, Math.min(w - 0.1, 0.7 + rnd.nextDouble() * 0.4), h, -d / 2 + 0.12);
                p.tops.clear();
                p.top(-w / 2 + 0.05, -d / 2 + 0.2, w / 2 - 0.05, d / 2 - 0.05, h);
                double[] t = p.tops.get(0);
                t[0] = w / 2 - 0.25;
            }
            add(p);
        }

        void table(Piece p, double w, double d, double h, int cls) {
            boolean wood = rnd.nextDouble() < 0.75;
            Rgb col = wood ? woodMain : hexOf(rnd, PAINTS);
            Material m = wood ? Material.WOOD : Material.PAINT;
            double t = 0.03 + rnd.nextDouble() * 0.02;
            p.box(-w / 2, h - t, -d / 2, w / 2, h, d / 2, cls, m, col);
            double inset = 0.04 + rnd.nextDouble() * 0.04;
            boolean round = rnd.nextDouble() < 0.3;
            double leg = 0.025 + rnd.nextDouble() * 0.02;
            Rgb legCol = rnd.nextDouble() < 0.7 ? col : Rgb.hex(0x303030);
            Material legM = legCol == col ? m : Material.METAL;
            for (int i = 0; i < 4; i++) {
                double x = (i % 2 == 0 ? -1 : 1) * (w / 2 - inset - leg);
                double z = (i < 2 ? -1 : 1) * (d / 2 - inset - leg);
                if (round) {
                    p.cylinder(x, 0, z, leg, h - t, cls, legM, legCol);
                } else {
                    p.box(x - leg, 0, z - leg, x + leg, h - t, z + leg, cls, legM, legCol);
                }
            }
            if (rnd.nextDouble() < 0.5 && h > 0.6) {
                // Apron under the top.
                p.box(
                        -w / 2 + inset,
                        h - t - 0.08,
                        -d / 2 + inset,
                        w / 2 - inset,
                        h - t,
                        d / 2 - inset,
                        cls,
                        m,
                        col.times(0.85));
            } else if (h < 0.6 && rnd.nextDouble() < 0.5) {
                // A lower shelf on coffee tables.
                p.box(
                        -w / 2 + inset,
                        0.1,
                        -d / 2 + inset,
                        w / 2 - inset,
                        0.13,
                        d / 2 - inset,
                        cls,
                        m,
                        col);
            }
            p.top(-w / 2 + 0.06, -d / 2 + 0.06, w / 2 - 0.06, d / 2 - 0.06, h);
        }

        void chair(Piece p) {
            double sw = 0.42 + rnd.nextDouble() * 0.08;
            double sd = 0.42 + rnd.nextDouble() * 0.08;
            double sh = 0.44 + rnd.nextDouble() * 0.04;
            double style = rnd.nextDouble();
            Rgb col =
                    rnd.nextDouble() < 0.6
                            ? woodMain
                            : hexOf(rnd, rnd.nextBoolean() ? PAINTS : PLASTICS);
            Material m = col == woodMain ? Material.WOOD : Material.PLASTIC;
            if (style < 0.25) {
                // Office chair: pedestal, seat, back.
                Rgb dark = Rgb.hex(0x252525);
                p.cylinder(0, 0, 0, 0.28, 0.04, CHAIR, Material.PLASTIC, dark);
                p.cylinder(0, 0.04, 0, 0.03, sh - 0.1, CHAIR, Material.METAL, Rgb.hex(0x909090));
                Rgb fab = hexOf(rnd, FABRICS);
                p.box(-sw / 2, sh - 0.08, -sd / 2, sw / 2, sh, sd / 2, CHAIR, Material.FABRIC, fab);
                p.box(
                        -sw / 2 + 0.02,
                        sh + 0.08,
                        -sd / 2 - 0.02,
                        sw / 2 - 0.02,
                        sh + 0.55,
                        -sd / 2 + 0.05,
                        CHAIR,
                        Material.FABRIC,
                        fab);
                p.box(
                        -0.03,
                        sh,
                        -sd / 2 - 0.02,
                        0.03,
                        sh + 0.1,
                        -sd / 2 + 0.02,
                        CHAIR,
                        Material.METAL,
                        dark);
                return;
            }
            double t = 0.04;
            boolean padded = rnd.nextDouble() < 0.4;
            p.box(
                    -sw / 2,
                    sh - t,
                    -sd / 2,
                    sw / 2,
                    sh,
                    sd / 2,
                    CHAIR,
                    padded ? Material.FABRIC : m,
                    padded ? hexOf(rnd, FABRICS) : col);
            double leg = 0.018 + rnd.nextDouble() * 0.01;
            for (int i = 0; i < 4; i++) {
                double x = (i % 2 == 0 ? -1 : 1) * (sw / 2 - leg - 0.01);
                double z = (i < 2 ? -1 : 1) * (sd / 2 - leg - 0.01);
                p.box(x - leg, 0, z - leg, x + leg, sh - t, z + leg, CHAIR, m, col);
            }
            double bh = 0.38 + rnd.nextDouble() * 0.15;
            if (style < 0.6) {
                // Solid back.
                p.box(-sw / 2, sh, -sd / 2, sw / 2, sh + bh, -sd / 2 + 0.035, CHAIR, m, col);
            } else {
                // Two posts and a rail.
                p.box(
                        -sw / 2,
                        sh,
                        -sd / 2,
                        -sw / 2 + 0.035,
                        sh + bh,
                        -sd / 2 + 0.035,
                        CHAIR,
                        m,
                        col);
                p.box(sw / 2 - 0.035, sh, -sd / 2, sw / 2, sh + bh, -sd / 2 + 0.035, CHAIR, m, col);
                p.box(
                        -sw / 2,
                        sh + bh - 0.12,
                        -sd / 2,
                        sw / 2,
                        sh + bh,
                        -sd / 2 + 0.03,
                        CHAIR,
                        m,
                        col);
            }
        }

        /** A sofa (or an armchair with class {@code cls}) w wide and d deep. */
        void sofa(Piece p, double w, double d, int cls) {
            boolean leather = rnd.nextDouble() < 0.25;
            Material m = leather ? Material.LEATHER : Material.FABRIC;
            Rgb col =
                    leather
                            ? Rgb.hex(rnd.nextBoolean() ? 0x4a3020 : 0x202020)
                            : hexOf(rnd, FABRICS);
            double arm = 0.12 + rnd.nextDouble() * 0.1;
            double armH = 0.55 + rnd.nextDouble() * 0.1;
            double base = 0.38 + rnd.nextDouble() * 0.05;
            double backT = 0.18 + rnd.nextDouble() * 0.06;
            double backH = 0.78 + rnd.nextDouble() * 0.14;
            double legH = 0.06;
            Rgb legs = Rgb.hex(0x2a2018);
            for (int i = 0; i < 4; i++) {
                double x = (i % 2 == 0 ? -1 : 1) * (w / 2 - 0.05);
                double z = (i < 2 ? -1 : 1) * (d / 2 - 0.05);
                p.box(
                        x - 0.025,
                        0,
                        z - 0.025,
                        x + 0.025,
                        legH,
                        z + 0.025,
                        cls,
                        Material.WOOD,
                        legs);
            }
            p.box(-w / 2 + arm, legH, -d / 2, w / 2 - arm, base, d / 2, cls, m, col);
            p.box(-w / 2, legH, -d / 2, w / 2, backH, -d / 2 + backT, cls, m, col);
            p.box(-w / 2, legH, -d / 2, -w / 2 + arm, armH, d / 2, cls, m, col);
            p.box(w / 2 - arm, legH, -d / 2, w / 2, armH, d / 2, cls, m, col);
            // Seat cushions.
            int cushions = Math.max(1, (int) Math.round((w - 2 * arm) / 0.6));
            double cw = (w - 2 * arm) / cushions;
            Rgb cc = col.times(1.05);
            for (int i = 0; i < cushions; i++) {
                double x0 = -w / 2 + arm + i * cw;
                p.box(
                        x0 + 0.01,
                        base,
                        -d / 2 + backT,
                        x0 + cw - 0.01,
                        base + 0.1,
                        d / 2 - 0.01,
                        cls,
                        m,
                        cc);
            }
            if (cls == SOFA && rnd.nextDouble() < 0.7) {
                int pillows = 1 + rnd.nextInt(2);
                Rgb pc = hexOf(rnd, FABRICS);
                for (int i = 0; i < pillows; i++) {
                    double x = (i == 0 ? -1 : 1) * (w / 2 - arm - 0.25);
                    p.box(
                            x - 0.2,
                            base + 0.1,
                            -d / 2 + backT,
                            x + 0.2,
                            base + 0.48,
                            -d / 2 + backT + 0.12,
                            (rnd.nextDouble() - 0.5) * 0.3,
                            cls,
                            Material.FABRIC,
                            pc);
                }
            }
        }

        void armchair() {
            double w = 0.75 + rnd.nextDouble() * 0.2;
            double d = 0.75 + rnd.nextDouble() * 0.15;
            Piece p = rnd.nextBoolean() ? freeStanding(w, d, 0.9) : againstWall(w, d, 0.9, null);
            if (p != null) {
                sofa(p, w, d, CHAIR);
                add(p);
            }
        }

        void tv(Piece p, double w, double y, double z) {
            double h = w * 0.58;
            double t = 0.04 + rnd.nextDouble() * 0.03;
            Rgb black = Rgb.hex(0x111111);
            p.box(-0.15, y, z - 0.1, 0.15, y + 0.02, z + 0.1, TV, Material.PLASTIC, black);
            p.box(-0.03, y + 0.02, z - 0.02, 0.03, y + 0.08, z + 0.02, TV, Material.PLASTIC, black);
            p.box(
                    -w / 2,
                    y + 0.06,
                    z - t / 2,
                    w / 2,
                    y + 0.06 + h,
                    z + t / 2,
                    TV,
                    Material.SCREEN,
                    Rgb.hex(0x060606));
        }

        void tvCorner(Wall wall) {
            double w = 1.0 + rnd.nextDouble() * 0.7;
            double d = 0.4 + rnd.nextDouble() * 0.1;
            double h = 0.42 + rnd.nextDouble() * 0.15;
            double tvw = Math.min(w - 0.1, 0.8 + rnd.nextDouble() * 0.6);
            Piece p = againstWall(w, d, h + tvw * 0.6, wall);
            if (p == null) {
                return;
            }
            cabinet(p, w, d, h, rnd.nextBoolean());
            tv(p, tvw, h, -d / 2 + 0.12);
            p.tops.clear();
            p.top(
                    w / 2 - Math.max(0.1, (w - tvw) / 2),
                    -d / 2 + 0.05,
                    w / 2 - 0.05,
                    d / 2 - 0.05,
                    h);
            add(p);
        }

        void bookshelf() {
            double w = 0.6 + rnd.nextDouble() * 0.6;
            double d = 0.28 + rnd.nextDouble() * 0.08;
            double h = Math.min(height - 0.3, 1.2 + rnd.nextDouble() * 0.9);
            Piece p = againstWall(w, d, h, null);
            if (p == null) {
                return;
            }
            boolean wood = rnd.nextDouble() < 0.6;
            Rgb col = wood ? woodMain : hexOf(rnd, PAINTS);
            Material m = wood ? Material.WOOD : Material.PAINT;
            double t = 0.02 + rnd.nextDouble() * 0.01;
            p.box(-w / 2, 0, -d / 2, -w / 2 + t, h, d / 2, FURNITURE, m, col);
            p.box(w / 2 - t, 0, -d / 2, w / 2, h, d / 2, FURNITURE, m, col);
            p.box(-w / 2 + t, 0, -d / 2, w / 2 - t, h, -d / 2 + 0.01, FURNITURE, m, col.times(0.8));
            p.box(-w / 2 + t, 0, -d / 2, w / 2 - t, 0.08, d / 2, FURNITURE, m, col);
            int shelves = Math.max(2, (int) ((h - 0.1) / (0.3 + rnd.nextDouble() * 0.08)));
            double pitch = (h - 0.08) / shelves;
            for (int i = 1; i <= shelves; i++) {
                double y = 0.08 + i * pitch;
                p.box(-w / 2 + t, y - t, -d / 2 + 0.01, w / 2 - t, y, d / 2, FURNITURE, m, col);
            }
            for (int i = 0; i < shelves; i++) {
                double y = 0.08 + i * pitch;
                double room = Math.min(pitch - t - 0.03, 0.33);
                double x0 = -w / 2 + t + 0.01;
                double x1 = w / 2 - t - 0.01;
                if (rnd.nextDouble() < 0.3) {
                    // Part books, part objects.
                    double mid = x0 + (0.3 + 0.4 * rnd.nextDouble()) * (x1 - x0);
                    books(p, x0, mid, y, room, -d / 2 + 0.02, d / 2 - 0.01);
                    for (double x = mid + 0.03; x + 0.1 < x1; x += 0.12 + rnd.nextDouble() * 0.1) {
                        shelfObject(p, x + 0.05, d / 2 - 0.12, y, room);
                    }
                } else {
                    books(p, x0, x1, y, room, -d / 2 + 0.02, d / 2 - 0.01);
                }
            }
            p.top(-w / 2 + 0.05, -d / 2 + 0.05, w / 2 - 0.05, d / 2 - 0.05, h);
            add(p);
        }

        /** Books standing (and sometimes lying) between x0 and x1 on a shelf at y. */
        void books(Piece p, double x0, double x1, double y, double maxH, double z0, double z1) {
            double fill = 0.4 + rnd.nextDouble() * 0.6;
            double x = x0 + (rnd.nextDouble() < 0.5 ? 0 : rnd.nextDouble() * 0.3 * (x1 - x0));
            double end = x0 + fill * (x1 - x0);
            while (x < end) {
                if (rnd.nextDouble() < 0.08 && x + 0.3 < x1) {
                    // A small stack lying flat.
                    double bw = 0.18 + rnd.nextDouble() * 0.08;
                    double yy = y;
                    int n = 2 + rnd.nextInt(4);
                    for (int k = 0; k < n && yy + 0.05 < y + maxH; k++) {
                        double th = 0.02 + rnd.nextDouble() * 0.03;
                        p.box(
                                x,
                                yy,
                                z1 - 0.2,
                                x + bw,
                                yy + th,
                                z1 - 0.01,
                                BOOKS,
                                Material.BOOK,
                                bookColor());
                        yy += th;
                    }
                    x += bw + 0.02;
                    continue;
                }
                if (rnd.nextDouble() < 0.05) {
                    x += 0.05 + rnd.nextDouble() * 0.1;
                    continue;
                }
                double th = 0.015 + rnd.nextDouble() * 0.04;
                double bh = Math.min(maxH, 0.16 + rnd.nextDouble() * 0.14);
                double bd = Math.min(z1 - z0, 0.13 + rnd.nextDouble() * 0.1);
                if (x + th > x1) {
                    break;
                }
                p.box(
                        x,
                        y,
                        z1 - bd,
                        x + th,
                        y + bh,
                        z1 - 0.005 - rnd.nextDouble() * 0.02,
                        BOOKS,
                        Material.BOOK,
                        bookColor());
                x += th + 0.001;
            }
        }

        /** A box, cup or ball no taller than {@code room}, centred at (x, z) on a shelf at y. */
        void shelfObject(Piece p, double x, double z, double y, double room) {
            double u = rnd.nextDouble();
            double r = 0.035 + rnd.nextDouble() * 0.015;
            if (u < 0.4) {
                double bh = Math.min(room, 0.06 + rnd.nextDouble() * 0.14);
                p.box(
                        x - r,
                        y,
                        z - r,
                        x + r,
                        y + bh,
                        z + r,
                        (rnd.nextDouble() - 0.5) * 0.6,
                        OBJECTS,
                        Material.PAINT,
                        hexOf(rnd, rnd.nextBoolean() ? PLASTICS : PAINTS));
            } else if (u < 0.75) {
                p.cylinder(
                        x,
                        y,
                        z,
                        r,
                        Math.min(room, 0.08 + rnd.nextDouble() * 0.15),
                        OBJECTS,
                        Material.CERAMIC,
                        hexOf(rnd, CERAMICS));
            } else {
                p.sphere(x, y + r, z, r, OBJECTS, Material.CERAMIC, hexOf(rnd, CERAMICS));
            }
        }

        Rgb bookColor() {
            double u = rnd.nextDouble();
            if (u < 0.15) {
                return hsv(0, 0, 0.1 + rnd.nextDouble() * 0.8);
            }
            return hsv(
                    rnd.nextDouble(), 0.3 + rnd.nextDouble() * 0.55, 0.25 + rnd.nextDouble() * 0.6);
        }

        void deskWithChair() {
            double w = 1.0 + rnd.nextDouble() * 0.6;
            double d = 0.55 + rnd.nextDouble() * 0.2;
            Piece desk = againstWall(w, d, 0.76, null);
            if (desk == null) {
                return;
            }
            double h = 0.72 + rnd.nextDouble() * 0.04;
            if (rnd.nextDouble() < 0.5) {
                table(desk, w, d, h, TABLE);
            } else {
                // Panel desk: top, two side panels.
                Rgb col = rnd.nextBoolean() ? woodMain : hexOf(rnd, PAINTS);
                Material m = col == woodMain ? Material.WOOD : Material.PAINT;
                desk.box(-w / 2, h - 0.03, -d / 2, w / 2, h, d / 2, TABLE, m, col);
                desk.box(-w / 2, 0, -d / 2, -w / 2 + 0.03, h - 0.03, d / 2, TABLE, m, col);
                desk.box(w / 2 - 0.03, 0, -d / 2, w / 2, h - 0.03, d / 2, TABLE, m, col);
                desk.box(
                        -w / 2 + 0.03,
                        h - 0.4,
                        -d / 2,
                        w / 2 - 0.03,
                        h - 0.03,
                        -d / 2 + 0.02,
                        TABLE,
                        m,
                        col);
                desk.top(-w / 2 + 0.06, -d / 2 + 0.06, w / 2 - 0.06, d / 2 - 0.06, h);
            }
            if (rnd.nextDouble() < 0.5) {
                // A laptop or a monitor.
                if (rnd.nextBoolean()) {
                    double lx = (rnd.nextDouble() - 0.5) * (w - 0.5);
                    desk.box(
                            lx - 0.17,
                            h,
                            -0.12,
                            lx + 0.17,
                            h + 0.02,
                            0.12,
                            OBJECTS,
                            Material.METAL,
                            Rgb.hex(0x9a9a9e));
                    desk.box(
                            lx - 0.17,
                            h + 0.02,
                            -0.13,
                            lx + 0.17,
                            h + 0.24,
                            -0.11,
                            OBJECTS,
                            Material.SCREEN,
                            Rgb.hex(0x151515));
                    double[] t = desk.tops.get(0);
                    t[1] = Math.max(t[1], 0.15);
                } else {
                    double mw = 0.5 + rnd.nextDouble() * 0.2;
                    tv(desk, mw, h, -d / 2 + 0.12);
                    // Keyboard and mouse in front of the monitor.
                    double kz = -d / 2 + 0.3;
                    desk.box(
                            -0.22,
                            h,
                            kz,
                            0.22,
                            h + 0.02,
                            kz + 0.15,
                            OBJECTS,
                            Material.PLASTIC,
                            Rgb.hex(0x1e1e1e));
                    desk.box(
                            0.3,
                            h,
                            kz + 0.03,
                            0.36,
                            h + 0.03,
                            kz + 0.12,
                            OBJECTS,
                            Material.PLASTIC,
                            Rgb.hex(0x2a2a2a));
                    double[] t = desk.tops.get(0);
                    t[1] = Math.max(t[1], kz + 0.17);
                }
            }
            add(desk);
            // The chair faces the desk, pulled out a little, slightly turned.
            double pull = d / 2 - 0.1 + rnd.nextDouble() * 0.35;
            double lx = (rnd.nextDouble() - 0.5) * 0.3;
            Piece chair =
                    new Piece(
                                    desk.wx(lx, pull),
                                    desk.wz(lx, pull),
                                    desk.yaw + Math.PI + (rnd.nextDouble() - 0.5) * 0.8,
                                    rnd.split())
                            .footprint(0.25, 0.25, 0.95);
            if (fits(chair.footprint, 0.02, desk)) {
                chair(chair);
                add(chair);
            }
        }

        void diningTable() {
            double w = 1.2 + rnd.nextDouble() * 0.6;
            double d = 0.8 + rnd.nextDouble() * 0.2;
            for (int i = 0; i < 30; i++) {
                double x = width / 2 + (rnd.nextDouble() - 0.5) * (width - w - 2.2) * 0.8;
                double z = depth / 2 + (rnd.nextDouble() - 0.5) * (depth - w - 2.2) * 0.8;
                double yaw =
                        (rnd.nextBoolean() ? 0 : Math.PI / 2)
                                + (rnd.nextDouble() < 0.2 ? (rnd.nextDouble() - 0.5) * 0.5 : 0);
                Piece t = new Piece(x, z, yaw, rnd.split()).footprint(w / 2, d / 2, 0.78);
                if (!fits(t.footprint, 0.7)) {
                    continue;
                }
                table(t, w, d, 0.72 + rnd.nextDouble() * 0.06, TABLE);
                t.required();
                add(t);
                // Chairs on the long sides (and the ends of long tables), facing the table:
                // {position across, position along, outward normal x, z, yaw relative to the
                // table}.
                List<double[]> seats = new ArrayList<>();
                int perSide = w > 1.5 ? 2 : 1 + rnd.nextInt(2);
                for (int k = 0; k < perSide; k++) {
                    double sx = perSide == 1 ? 0 : (k == 0 ? -w / 4 : w / 4);
                    seats.add(new double[] {sx, d / 2, 0, 1, Math.PI});
                    seats.add(new double[] {sx, -d / 2, 0, -1, 0});
                }
                if (w > 1.4 && rnd.nextBoolean()) {
                    seats.add(new double[] {w / 2, 0, 1, 0, -Math.PI / 2});
                    seats.add(new double[] {-w / 2, 0, -1, 0, Math.PI / 2});
                }
                for (double[] s : seats) {
                    if (rnd.nextDouble() < 0.15) {
                        continue;
                    }
                    double out = 0.1 + rnd.nextDouble() * 0.2;
                    double lx = s[0] + s[2] * out;
                    double lz = s[1] + s[3] * out;
                    double cy = yaw + s[4] + (rnd.nextDouble() - 0.5) * 0.35;
                    Piece c =
                            new Piece(t.wx(lx, lz), t.wz(lx, lz), cy, rnd.split())
                                    .footprint(0.25, 0.25, 0.95);
                    if (fits(c.footprint, 0.02, t)) {
                        chair(c);
                        add(c);
                    }
                }
                return;
            }
        }

        void sideTable() {
            double w = 0.4 + rnd.nextDouble() * 0.2;
            Piece p = againstWall(w, w, 0.6, null);
            if (p == null) {
                return;
            }
            table(p, w, w, 0.5 + rnd.nextDouble() * 0.15, TABLE);
            tableLamp(p, 0, 0, p.tops.get(0)[4]);
            p.tops.clear();
            add(p);
        }

        void tableLamp(Piece p, double lx, double lz, double y) {
            Rgb base = hexOf(rnd, CERAMICS);
            p.cylinder(lx, y, lz, 0.07, 0.03, OBJECTS, Material.CERAMIC, base);
            p.cylinder(lx, y + 0.03, lz, 0.015, 0.25, OBJECTS, Material.METAL, Rgb.hex(0xa0a0a0));
            p.cylinder(
                    lx,
                    y + 0.22,
                    lz,
                    0.12 + rnd.nextDouble() * 0.04,
                    0.18,
                    OBJECTS,
                    Material.FABRIC,
                    Rgb.hex(rnd.nextBoolean() ? 0xf0e8d8 : 0xd8d0c0));
            // The lamp takes its top.
            if (!p.tops.isEmpty()) {
                double[] t = p.tops.get(0);
                t[0] = Math.max(t[0], lx + 0.16);
            }
        }

        void rug() {
            double w = Math.min(width - 1.2, 1.4 + rnd.nextDouble() * 1.4);
            double d = Math.min(depth - 1.2, 1.0 + rnd.nextDouble() * 1.2);
            if (w < 0.8 || d < 0.8) {
                return;
            }
            double x = width / 2 + (rnd.nextDouble() - 0.5) * (width - w - 0.6);
            double z = depth / 2 + (rnd.nextDouble() - 0.5) * (depth - d - 0.6);
            Piece r = new Piece(x, z, 0, rnd.split());
            r.box(
                    -w / 2,
                    0,
                    -d / 2,
                    w / 2,
                    0.012,
                    d / 2,
                    FLOOR,
                    Material.FABRIC,
                    hexOf(rnd, FABRICS).times(0.9));
            fixed.addAll(r.prims);
        }

        void floorPlant() {
            double r = 0.12 + rnd.nextDouble() * 0.08;
            double fr = r + 0.02 + rnd.nextDouble() * 0.08;
            double ph = 0.25 + rnd.nextDouble() * 0.2;
            Piece p = againstWall(2 * fr + 0.1, 2 * fr + 0.1, ph + 3 * fr, null);
            if (p == null) {
                return;
            }
            p.cylinder(0, 0, 0, r, ph, OBJECTS, Material.CERAMIC, hexOf(rnd, CERAMICS));
            Rgb leaf =
                    hsv(
                            0.25 + rnd.nextDouble() * 0.12,
                            0.5 + rnd.nextDouble() * 0.3,
                            0.3 + rnd.nextDouble() * 0.25);
            // A bush of a few overlapping leaf balls.
            int balls = 4 + rnd.nextInt(3);
            for (int i = 0; i < balls; i++) {
                double ang = 2 * Math.PI * i / balls + rnd.nextDouble();
                double off = i == 0 ? 0 : fr * (0.4 + 0.2 * rnd.nextDouble());
                double br = fr * (i == 0 ? 0.8 : 0.45 + 0.2 * rnd.nextDouble());
                double by = ph + fr * (i == 0 ? 0.75 : 0.5 + 0.7 * rnd.nextDouble());
                p.sphere(
                        off * Math.cos(ang),
                        by,
                        off * Math.sin(ang),
                        br,
                        OBJECTS,
                        Material.FABRIC,
                        leaf.times(0.85 + 0.3 * rnd.nextDouble()));
            }
            add(p);
        }

        void floorLamp() {
            Piece p = againstWall(0.42, 0.42, 1.8, null);
            if (p == null) {
                return;
            }
            double h = 1.4 + rnd.nextDouble() * 0.3;
            p.cylinder(0, 0, 0, 0.15, 0.03, OBJECTS, Material.METAL, Rgb.hex(0x303030));
            p.cylinder(0, 0.03, 0, 0.015, h - 0.03, OBJECTS, Material.METAL, Rgb.hex(0x303030));
            p.cylinder(0, h - 0.1, 0, 0.2, 0.28, OBJECTS, Material.FABRIC, Rgb.hex(0xeee4d0));
            add(p);
        }

        void floorBoxes() {
            Piece p = againstWall(0.5, 0.42, 0.5, null);
            if (p == null) {
                return;
            }
            Rgb card = Rgb.hex(0xb08a5a);
            double y = 0;
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                double bh = 0.12 + rnd.nextDouble() * 0.15;
                double s = 0.2 - 0.03 * i;
                p.box(
                        -s,
                        y,
                        -0.18 + 0.02 * i,
                        s,
                        y + bh,
                        0.18 - 0.02 * i,
                        (rnd.nextDouble() - 0.5) * 0.3,
                        OBJECTS,
                        Material.PAINT,
                        rnd.nextBoolean() ? card : hexOf(rnd, PLASTICS));
                y += bh;
            }
            add(p);
        }

        /** A waste bin, basket or bag by a wall. */
        void floorBin() {
            double r = 0.12 + rnd.nextDouble() * 0.1;
            Piece p = againstWall(2 * r + 0.04, 2 * r + 0.04, 0.5, null);
            if (p == null) {
                return;
            }
            if (rnd.nextBoolean()) {
                p.cylinder(
                        0,
                        0,
                        0,
                        r,
                        0.25 + rnd.nextDouble() * 0.2,
                        OBJECTS,
                        Material.PLASTIC,
                        hexOf(rnd, PLASTICS));
            } else {
                Rgb c = hexOf(rnd, FABRICS);
                p.sphere(0, r, 0, r, OBJECTS, Material.FABRIC, c);
                p.sphere(0, r * 1.8, 0, r * 0.55, OBJECTS, Material.FABRIC, c.times(0.9));
            }
            add(p);
        }

        /** Floating shelves with objects and books, mounted on free stretches of wall. */
        void wallShelves() {
            int count = rnd.nextInt(3);
            for (int i = 0; i < count * 10 && shelves.size() < count; i++) {
                Wall wall = Wall.values()[rnd.nextInt(4)];
                double len = wall.length(width, depth);
                double w = 0.6 + rnd.nextDouble() * 0.6;
                if (w > len - 0.6) {
                    continue;
                }
                double a0 = 0.3 + rnd.nextDouble() * (len - 0.6 - w);
                double y = 1.25 + rnd.nextDouble() * 0.45;
                WallDecal span =
                        new WallDecal(
                                WallDecal.Kind.PICTURE,
                                wall,
                                a0,
                                a0 + w,
                                y - 0.02,
                                Math.min(height - 0.1, y + 0.35),
                                0);
                if (!decalFree(span)) {
                    continue;
                }
                shelves.add(span);
                double[] o = wallPoint(wall, a0 + w / 2, 0.1);
                Piece p = new Piece(o[0], o[1], wall.facingYaw(), rnd.split());
                boolean wood = rnd.nextBoolean();
                p.box(
                        -w / 2,
                        y - 0.03,
                        -0.1,
                        w / 2,
                        y,
                        0.1,
                        FURNITURE,
                        wood ? Material.WOOD : Material.PAINT,
                        wood ? woodMain : hexOf(rnd, PAINTS));
                if (rnd.nextBoolean()) {
                    books(p, -w / 2 + 0.02, w / 2 - 0.02, y, 0.3, -0.09, 0.09);
                } else {
                    p.top(-w / 2 + 0.03, -0.07, w / 2 - 0.03, 0.07, y);
                }
                p.optional = true;
                hanging.add(p);
            }
        }

        // ---- decoration, lights, small objects -------------------------------------------------

        void pictures() {
            int count = rnd.nextInt(5);
            for (int i = 0; i < count * 12 && pictures.size() < count; i++) {
                Wall wall = Wall.values()[rnd.nextInt(4)];
                double len = wall.length(width, depth);
                double w = 0.3 + rnd.nextDouble() * 0.9;
                double h = Math.min(0.9, w * (0.5 + rnd.nextDouble() * 0.8));
                if (w > len - 0.6) {
                    continue;
                }
                double a0 = 0.3 + rnd.nextDouble() * (len - 0.6 - w);
                double yc = 1.35 + rnd.nextDouble() * 0.45;
                double y0 = yc - h / 2;
                double y1 = Math.min(height - 0.2, yc + h / 2);
                if (y1 - y0 < 0.2) {
                    continue;
                }
                WallDecal d =
                        new WallDecal(
                                WallDecal.Kind.PICTURE, wall, a0, a0 + w, y0, y1, rnd.nextLong());
                if (decalFree(d)) {
                    pictures.add(d);
                }
            }
        }

        boolean decalFree(WallDecal d) {
            for (WallDecal o : windows) {
                if (o.wall() == d.wall() && o.overlapsAlong(d.a0(), d.a1(), 0.2)) {
                    return false;
                }
            }
            List<WallDecal> taken = new ArrayList<>(pictures);
            taken.addAll(shelves);
            for (WallDecal o : taken) {
                if (o.wall() == d.wall()
                        && o.overlapsAlong(d.a0(), d.a1(), 0.15)
                        && o.y1() + 0.1 > d.y0()
                        && d.y1() + 0.1 > o.y0()) {
                    return false;
                }
            }
            for (Piece p : pieces) {
                if (p.footprint == null || p.footprint.height() < d.y0() - 0.1) {
                    continue;
                }
                double[] b = p.footprint.bounds();
                if (nearWall(b, d.wall(), 0.8)) {
                    double lo = d.wall().alongX() ? b[0] : b[1];
                    double hi = d.wall().alongX() ? b[2] : b[3];
                    if (d.overlapsAlong(lo, hi, 0.05)) {
                        return false;
                    }
                }
            }
            return true;
        }

        void lamps() {
            double area = width * depth;
            int nx = width > 4.5 && area > 18 ? 2 : 1;
            int nz = depth > 4.5 && area > 18 ? 2 : 1;
            if (nx * nz == 4 && rnd.nextBoolean()) {
                nz = 1;
            }
            boolean pendant = height > 2.7 && rnd.nextDouble() < 0.5;
            Rgb fixture = Rgb.hex(0xffffff);
            double power = 1.3 + 0.4 * rnd.nextDouble();
            for (int i = 0; i < nx; i++) {
                for (int k = 0; k < nz; k++) {
                    double x = width * (i + 0.5) / nx + (rnd.nextDouble() - 0.5) * 0.4;
                    double z = depth * (k + 0.5) / nz + (rnd.nextDouble() - 0.5) * 0.4;
                    double ly;
                    Piece p = new Piece(x, z, 0, rnd.split());
                    if (pendant) {
                        double drop = 0.45 + rnd.nextDouble() * 0.15;
                        double r = 0.15 + rnd.nextDouble() * 0.1;
                        p.cylinder(
                                0,
                                height - drop + 0.15,
                                0,
                                0.006,
                                drop - 0.15,
                                OBJECTS,
                                Material.METAL,
                                Rgb.hex(0x202020));
                        p.cylinder(
                                0, height - drop, 0, r, 0.16, OBJECTS, Material.EMISSIVE, fixture);
                        ly = height - drop - 0.03;
                    } else {
                        double r = 0.12 + rnd.nextDouble() * 0.15;
                        p.cylinder(
                                0, height - 0.05, 0, r, 0.05, OBJECTS, Material.EMISSIVE, fixture);
                        ly = height - 0.3;
                    }
                    fixed.addAll(p.prims);
                    lights.add(
                            new Light(
                                    Light.Kind.LAMP,
                                    x,
                                    ly,
                                    z,
                                    power * area / (nx * nz) / 10,
                                    0,
                                    0));
                }
            }
        }

        // ---- lived-in rooms (Furnishing.LIVED_IN) ----------------------------------------------

        /** Things by and on the walls, and crowded tops; the camera keeps its free floor. */
        void livedIn() {
            int byWalls = 8 + rnd.nextInt(10);
            for (int i = 0; i < byWalls; i++) {
                Piece p = floorThing();
                if (p == null) {
                    continue;
                }
                pieces.add(p);
                if (freeArea() < MIN_FREE_AREA) {
                    pieces.remove(pieces.size() - 1);
                }
            }
            int onWalls = 8 + rnd.nextInt(8);
            for (int i = 0; i < onWalls; i++) {
                wallThing();
            }
            smallObjects(14, 0.05, 0.12);
        }

        /** One thing standing by a wall, or null where none fits. */
        Piece floorThing() {
            double u = rnd.nextDouble();
            if (u < 0.2) {
                return boxStack();
            } else if (u < 0.5) {
                return storageShelf();
            } else if (u < 0.58) {
                return laundryBasket();
            } else if (u < 0.68) {
                return bag();
            } else if (u < 0.76) {
                return clothesPile();
            } else if (u < 0.85) {
                return heater();
            } else if (u < 0.92) {
                return standingFan();
            }
            // A case, a screen, a board or a rolled mat standing upright.
            double w = 0.3 + rnd.nextDouble() * 1.2;
            double h = 0.9 + rnd.nextDouble() * 1.0;
            Piece p = againstWall(w + 0.04, 0.2, h, null);
            if (p != null) {
                p.box(
                        -w / 2,
                        0,
                        -0.08,
                        w / 2,
                        h,
                        0.06,
                        OBJECTS,
                        Material.PLASTIC,
                        hexOf(rnd, FABRICS));
            }
            return p;
        }

        /** Cartons or storage boxes stacked up to 1.4 m; things go on the top one. */
        Piece boxStack() {
            double w = 0.35 + rnd.nextDouble() * 0.4;
            double d = 0.3 + rnd.nextDouble() * 0.25;
            int n = 1 + rnd.nextInt(5);
            double[] hs = new double[n];
            double total = 0;
            for (int i = 0; i < n; i++) {
                hs[i] = 0.2 + rnd.nextDouble() * 0.25;
                total += hs[i];
            }
            Piece p = againstWall(w + 0.06, d + 0.06, total, null);
            if (p == null) {
                return null;
            }
            boolean plastic = rnd.nextDouble() < 0.35;
            Rgb card = Rgb.hex(0xb08a5a).times(0.8 + rnd.nextDouble() * 0.3);
            double y = 0;
            for (int i = 0; i < n; i++) {
                double s = 1 - 0.05 * i;
                p.box(
                        -w / 2 * s,
                        y,
                        -d / 2 * s,
                        w / 2 * s,
                        y + hs[i],
                        d / 2 * s,
                        (rnd.nextDouble() - 0.5) * 0.2,
                        OBJECTS,
                        plastic ? Material.PLASTIC : Material.PAINT,
                        plastic ? hexOf(rnd, PLASTICS) : card);
                y += hs[i];
            }
            double s = 1 - 0.05 * n;
            return p.top(-w / 2 * s, -d / 2 * s, w / 2 * s, d / 2 * s, total);
        }

        /** Open shelving (furniture) full of boxes, bins and bags (objects). */
        Piece storageShelf() {
            double w = 0.7 + rnd.nextDouble() * 0.9;
            double d = 0.3 + rnd.nextDouble() * 0.15;
            double h = 1.2 + rnd.nextDouble() * 0.8;
            Piece p = againstWall(w + 0.04, d + 0.04, h, null);
            if (p == null) {
                return null;
            }
            boolean metal = rnd.nextBoolean();
            Material fm = metal ? Material.METAL : Material.WOOD;
            Rgb fc = metal ? hexOf(rnd, STEELS) : woodMain;
            for (int sx = -1; sx <= 1; sx += 2) {
                for (int sz = -1; sz <= 1; sz += 2) {
                    double x = sx * (w / 2 - 0.015);
                    double z = sz * (d / 2 - 0.015);
                    p.box(x - 0.015, 0, z - 0.015, x + 0.015, h, z + 0.015, FURNITURE, fm, fc);
                }
            }
            int levels = 3 + rnd.nextInt(3);
            double gap = (h - 0.1) / levels;
            for (int i = 0; i <= levels; i++) {
                double y = 0.08 + i * gap;
                p.box(-w / 2, y - 0.025, -d / 2, w / 2, y, d / 2, FURNITURE, fm, fc);
                if (i == levels) {
                    break;
                }
                // Fill the level with things side by side.
                double x = -w / 2 + 0.02;
                while (x < w / 2 - 0.12) {
                    double bw = Math.min(w / 2 - 0.02 - x, 0.12 + rnd.nextDouble() * 0.3);
                    if (rnd.nextDouble() < 0.8) {
                        double bh = Math.min(gap - 0.04, 0.08 + rnd.nextDouble() * (gap - 0.06));
                        double bd = d * (0.6 + rnd.nextDouble() * 0.35);
                        p.box(
                                x,
                                y,
                                -bd / 2,
                                x + bw,
                                y + bh,
                                bd / 2,
                                OBJECTS,
                                rnd.nextBoolean() ? Material.PLASTIC : Material.PAINT,
                                rnd.nextBoolean()
                                        ? Rgb.hex(0xb08a5a).times(0.8 + rnd.nextDouble() * 0.3)
                                        : hexOf(rnd, PLASTICS));
                    }
                    x += bw + 0.02;
                }
            }
            return p;
        }

        Piece laundryBasket() {
            double r = 0.18 + rnd.nextDouble() * 0.1;
            double h = 0.35 + rnd.nextDouble() * 0.2;
            Piece p = againstWall(2 * r + 0.06, 2 * r + 0.06, h + 0.15, null);
            if (p == null) {
                return null;
            }
            p.cylinder(0, 0, 0, r, h, OBJECTS, Material.PLASTIC, hexOf(rnd, PLASTICS));
            int clothes = 2 + rnd.nextInt(2);
            for (int i = 0; i < clothes; i++) {
                double cr = r * (0.45 + rnd.nextDouble() * 0.2);
                p.sphere(
                        (rnd.nextDouble() - 0.5) * r,
                        h - cr * 0.3,
                        (rnd.nextDouble() - 0.5) * r,
                        cr,
                        OBJECTS,
                        Material.FABRIC,
                        hexOf(rnd, FABRICS));
            }
            return p;
        }

        /** A bag, a backpack or a suitcase standing by the wall. */
        Piece bag() {
            boolean suitcase = rnd.nextDouble() < 0.35;
            double w = suitcase ? 0.4 + rnd.nextDouble() * 0.15 : 0.3 + rnd.nextDouble() * 0.15;
            double h = suitcase ? 0.55 + rnd.nextDouble() * 0.2 : 0.35 + rnd.nextDouble() * 0.2;
            double d = suitcase ? 0.22 + rnd.nextDouble() * 0.06 : 0.18 + rnd.nextDouble() * 0.1;
            Piece p = againstWall(w + 0.06, d + 0.06, h, null);
            if (p == null) {
                return null;
            }
            Rgb c = suitcase ? hexOf(rnd, PLASTICS) : hexOf(rnd, FABRICS);
            Material m = suitcase ? Material.PLASTIC : Material.FABRIC;
            p.box(
                    -w / 2,
                    0,
                    -d / 2,
                    w / 2,
                    h,
                    d / 2,
                    (rnd.nextDouble() - 0.5) * 0.3,
                    OBJECTS,
                    m,
                    c);
            if (!suitcase) {
                p.box(
                        -w / 2 + 0.04,
                        0.05,
                        d / 2 - 0.01,
                        w / 2 - 0.04,
                        h * 0.5,
                        d / 2 + 0.05,
                        OBJECTS,
                        m,
                        c.times(0.85));
            }
            return p;
        }

        /** Clothes or bedding heaped on the floor. */
        Piece clothesPile() {
            double w = 0.4 + rnd.nextDouble() * 0.3;
            Piece p = againstWall(w + 0.1, w + 0.1, 0.4, null);
            if (p == null) {
                return null;
            }
            int n = 2 + rnd.nextInt(3);
            double y = 0;
            for (int i = 0; i < n; i++) {
                double t = 0.04 + rnd.nextDouble() * 0.08;
                double s = w / 2 * (1 - 0.12 * i);
                p.box(
                        -s,
                        y,
                        -s * 0.8,
                        s,
                        y + t,
                        s * 0.8,
                        rnd.nextDouble() * Math.PI,
                        OBJECTS,
                        Material.FABRIC,
                        hexOf(rnd, rnd.nextBoolean() ? FABRICS : BEDDINGS));
                y += t * 0.8;
            }
            return p;
        }

        /** A radiator or an electric heater, under a window where one fits. */
        Piece heater() {
            double w = 0.5 + rnd.nextDouble() * 0.6;
            double h = 0.45 + rnd.nextDouble() * 0.2;
            Piece p = againstWall(w + 0.04, 0.16, h, null);
            if (p == null) {
                return null;
            }
            Rgb c = rnd.nextDouble() < 0.7 ? Rgb.hex(0xeeeeea) : hexOf(rnd, PAINTS);
            p.box(-w / 2, 0.1, -0.05, w / 2, h, 0.05, OBJECTS, Material.METAL, c);
            int fins = (int) (w / 0.1);
            for (int i = 0; i < fins; i++) {
                double x = -w / 2 + (i + 0.5) * w / fins;
                p.box(x - 0.015, 0.12, 0.05, x + 0.015, h - 0.02, 0.07, OBJECTS, Material.METAL, c);
            }
            p.box(-w / 2 + 0.03, 0, -0.03, -w / 2 + 0.06, 0.1, 0.03, OBJECTS, Material.METAL, c);
            p.box(w / 2 - 0.06, 0, -0.03, w / 2 - 0.03, 0.1, 0.03, OBJECTS, Material.METAL, c);
            return p;
        }

        Piece standingFan() {
            double h = 1.0 + rnd.nextDouble() * 0.3;
            Piece p = againstWall(0.45, 0.45, h + 0.2, null);
            if (p == null) {
                return null;
            }
            Rgb c = rnd.nextBoolean() ? Rgb.hex(0xf0f0f0) : Rgb.hex(0x303030);
            p.cylinder(0, 0, 0, 0.16, 0.04, OBJECTS, Material.PLASTIC, c);
            p.cylinder(0, 0.04, 0, 0.02, h - 0.04, OBJECTS, Material.METAL, c);
            p.sphere(0, h, 0.02, 0.18 + rnd.nextDouble() * 0.05, OBJECTS, Material.PLASTIC, c);
            return p;
        }

        /** One thing hung on a free stretch of wall; nothing where none is free. */
        void wallThing() {
            double u = rnd.nextDouble();
            if (u < 0.3) {
                // Coats, towels or bags on a row of hooks.
                int n = 2 + rnd.nextInt(5);
                double each = 0.3 + rnd.nextDouble() * 0.15;
                double top = 1.7 + rnd.nextDouble() * 0.3;
                Piece p = onWall(n * each, top - 0.85, top + 0.05);
                if (p == null) {
                    return;
                }
                double x0 = -n * each / 2;
                p.box(
                        x0,
                        top,
                        0,
                        -x0,
                        top + 0.04,
                        0.03,
                        OBJECTS,
                        Material.METAL,
                        hexOf(rnd, PAINTS));
                for (int i = 0; i < n; i++) {
                    double len = 0.4 + rnd.nextDouble() * 0.4;
                    double dz = 0.06 + rnd.nextDouble() * 0.14;
                    p.box(
                            x0 + i * each + 0.02,
                            top - len,
                            0.01,
                            x0 + (i + 1) * each - 0.02,
                            top,
                            0.01 + dz,
                            OBJECTS,
                            Material.FABRIC,
                            hexOf(rnd, rnd.nextBoolean() ? FABRICS : BEDDINGS));
                }
            } else if (u < 0.75) {
                // A whiteboard or a notice board with papers pinned on it.
                double w = 0.8 + rnd.nextDouble() * 1.6;
                double h = 0.6 + rnd.nextDouble() * 0.5;
                double yc = 1.45 + rnd.nextDouble() * 0.3;
                Piece p = onWall(w, yc - h / 2, yc + h / 2);
                if (p == null) {
                    return;
                }
                boolean white = rnd.nextBoolean();
                p.box(
                        -w / 2,
                        yc - h / 2,
                        0,
                        w / 2,
                        yc + h / 2,
                        0.025,
                        OBJECTS,
                        white ? Material.CERAMIC : Material.FABRIC,
                        white ? Rgb.hex(0xf4f4f2) : Rgb.hex(0xb08a5a));
                int papers = white ? rnd.nextInt(3) : 3 + rnd.nextInt(6);
                for (int i = 0; i < papers; i++) {
                    double pw = 0.15 + rnd.nextDouble() * 0.1;
                    double ph = pw * 1.4;
                    double x = -w / 2 + pw / 2 + rnd.nextDouble() * Math.max(0, w - pw);
                    double y = yc - h / 2 + ph / 2 + rnd.nextDouble() * Math.max(0, h - ph);
                    p.box(
                            x - pw / 2,
                            y - ph / 2,
                            0.025,
                            x + pw / 2,
                            y + ph / 2,
                            0.03,
                            OBJECTS,
                            Material.PAINT,
                            hexOf(rnd, PAPERS));
                }
            } else if (u < 0.85 && height > 2.5) {
                // An air conditioner high on the wall.
                double w = 0.7 + rnd.nextDouble() * 0.25;
                double top = height - 0.12 - rnd.nextDouble() * 0.15;
                Piece p = onWall(w, top - 0.3, top);
                if (p != null) {
                    p.box(
                            -w / 2,
                            top - 0.3,
                            0,
                            w / 2,
                            top,
                            0.22,
                            OBJECTS,
                            Material.PLASTIC,
                            Rgb.hex(0xf2f2f0));
                }
            } else {
                // A mirror, a clock or a calendar.
                double w = 0.25 + rnd.nextDouble() * 0.35;
                double h = w * (0.8 + rnd.nextDouble() * 0.8);
                double yc = 1.4 + rnd.nextDouble() * 0.35;
                Piece p = onWall(w, yc - h / 2, yc + h / 2);
                if (p != null) {
                    p.box(
                            -w / 2,
                            yc - h / 2,
                            0,
                            w / 2,
                            yc + h / 2,
                            0.03,
                            OBJECTS,
                            rnd.nextBoolean() ? Material.CERAMIC : Material.PAINT,
                            hexOf(rnd, CERAMICS));
                }
            }
        }

        /**
         * A piece on a free stretch of wall {@code w} long between heights {@code y0} and {@code
         * y1} (its frame on the wall, z into the room), its stretch taken; null where none is free.
         */
        Piece onWall(double w, double y0, double y1) {
            if (y0 < 0 || y1 > height - 0.05) {
                return null;
            }
            for (int i = 0; i < 40; i++) {
                Wall wall = Wall.values()[rnd.nextInt(4)];
                double len = wall.length(width, depth);
                if (w > len - 0.6) {
                    continue;
                }
                double a0 = 0.3 + rnd.nextDouble() * (len - 0.6 - w);
                WallDecal span = new WallDecal(WallDecal.Kind.PICTURE, wall, a0, a0 + w, y0, y1, 0);
                if (!decalFree(span)) {
                    continue;
                }
                shelves.add(span);
                double[] o = wallPoint(wall, a0 + w / 2, 0);
                Piece p = new Piece(o[0], o[1], wall.facingYaw(), rnd.split());
                hanging.add(p);
                return p;
            }
            return null;
        }

        void smallObjects() {
            smallObjects(7, 0.04, 0.08);
        }

        /**
         * Things on every top: at most {@code most} per top (fewer on small ones), radius {@code
         * rMin} to {@code rMin + rSpan}, never overlapping what an earlier pass put there.
         */
        void smallObjects(int most, double rMin, double rSpan) {
            List<Piece> all = new ArrayList<>(pieces);
            all.addAll(hanging);
            for (Piece p : all) {
                for (double[] t : p.tops) {
                    double w = t[2] - t[0];
                    double d = t[3] - t[1];
                    if (w < 0.12 || d < 0.1) {
                        continue;
                    }
                    int n = rnd.nextInt(Math.min(most, 2 + (int) (w * d / 0.05)));
                    List<double[]> placed = placedOnTops.computeIfAbsent(t, k -> new ArrayList<>());
                    for (int i = 0; i < n; i++) {
                        double r = rMin + rnd.nextDouble() * rSpan;
                        if (2 * r > Math.min(w, d)) {
                            continue;
                        }
                        double x = t[0] + r + rnd.nextDouble() * (w - 2 * r);
                        double z = t[1] + r + rnd.nextDouble() * (d - 2 * r);
                        boolean clash = false;
                        for (double[] q : placed) {
                            clash |= Math.hypot(q[0] - x, q[1] - z) < q[2] + r + 0.02;
                        }
                        if (clash) {
                            continue;
                        }
                        placed.add(new double[] {x, z, r});
                        smallObject(p, x, z, t[4], r);
                    }
                }
            }
        }

        void smallObject(Piece p, double x, double z, double y, double r) {
            double u = rnd.nextDouble();
            if (u < 0.25) {
                // Cup or glass.
                double cr = Math.min(r, 0.045);
                p.cylinder(
                        x,
                        y,
                        z,
                        cr,
                        0.08 + rnd.nextDouble() * 0.05,
                        OBJECTS,
                        Material.CERAMIC,
                        hexOf(rnd, CERAMICS));
            } else if (u < 0.45) {
                // Vase: body and neck, or a tall cylinder.
                Rgb c = hexOf(rnd, CERAMICS);
                if (rnd.nextBoolean()) {
                    p.sphere(x, y + r, z, r, OBJECTS, Material.CERAMIC, c);
                    p.cylinder(x, y + 1.7 * r, z, r * 0.4, r * 1.1, OBJECTS, Material.CERAMIC, c);
                } else {
                    p.cylinder(
                            x,
                            y,
                            z,
                            r * 0.8,
                            0.15 + rnd.nextDouble() * 0.2,
                            OBJECTS,
                            Material.CERAMIC,
                            c);
                }
            } else if (u < 0.62) {
                // A box.
                double bh = 0.04 + rnd.nextDouble() * 0.12;
                p.box(
                        x - r,
                        y,
                        z - r * 0.7,
                        x + r,
                        y + bh,
                        z + r * 0.7,
                        (rnd.nextDouble() - 0.5) * 1.2,
                        OBJECTS,
                        Material.PAINT,
                        hexOf(rnd, rnd.nextBoolean() ? PLASTICS : PAINTS));
            } else if (u < 0.75) {
                // A bowl with fruit, or a ball.
                p.sphere(x, y + r * 0.4, z, r, OBJECTS, Material.PLASTIC, hexOf(rnd, PLASTICS));
            } else if (u < 0.88) {
                // A small plant.
                p.cylinder(
                        x, y, z, r * 0.7, r * 1.2, OBJECTS, Material.CERAMIC, hexOf(rnd, CERAMICS));
                p.sphere(
                        x,
                        y + r * 1.2 + r * 0.7,
                        z,
                        r * 0.9,
                        OBJECTS,
                        Material.FABRIC,
                        hsv(0.27 + rnd.nextDouble() * 0.1, 0.6, 0.35 + rnd.nextDouble() * 0.2));
            } else {
                // A few books lying on the top.
                double yy = y;
                int n = 1 + rnd.nextInt(3);
                for (int k = 0; k < n; k++) {
                    double th = 0.02 + rnd.nextDouble() * 0.025;
                    p.box(
                            x - 0.11,
                            yy,
                            z - 0.08,
                            x + 0.11,
                            yy + th,
                            z + 0.08,
                            (rnd.nextDouble() - 0.5) * 0.5,
                            BOOKS,
                            Material.BOOK,
                            bookColor());
                    yy += th;
                }
            }
        }
    }
}
