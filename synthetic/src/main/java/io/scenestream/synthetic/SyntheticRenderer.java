package io.scenestream.synthetic;

import io.scenestream.frames.DenseSample;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The CPU ray caster. For every pixel it casts the primary ray through the pixel centre, finds the
 * nearest surface (the room's walls, floor and ceiling analytically, the primitives through the
 * scene's BVH) and writes:
 *
 * <ul>
 *   <li><b>labels</b>: the class id of the surface hit; every pixel is labelled (a closed room has
 *       no void);
 *   <li><b>depth</b>: metric Z-depth along the optical axis, exact from the geometry (the ray
 *       direction is scaled to a forward component of 1, so the hit's ray parameter is the depth);
 *   <li><b>RGB</b>: procedural textures per material (wood grain, planks, tiles, carpet, paint
 *       mottling, fabric, book spines, picture motifs, sky seen through windows), lit by the
 *       ceiling lamps and the daylight of the windows (Lambert diffuse with hard shadows from one
 *       shadow ray per light, Blinn-Phong highlights on glossy materials), direct sunlight through
 *       the windows (shadowed), ambient light with an occlusion term in the room's corners and at
 *       the foot of furniture, then haze (a blend towards the haze colour with weight {@code 1 -
 *       exp(-density * distance)}, distance along the ray), camera motion blur, exposure, white
 *       balance, vignetting, sensor noise (Gaussian, variance {@code read^2 + shot^2 * signal} in
 *       linear units), a soft highlight shoulder and sRGB encoding.
 * </ul>
 *
 * <p><b>Lights.</b> Ceiling lamps are point lights with falloff {@code power / (d^2 + 0.25)}.
 * Daylight is a point light 1 m behind each window with a cosine lobe into the room (the walls cast
 * no shadows; the lobe keeps it off the window's own wall). Sunlight is a directional light that
 * reaches a point only if the ray towards the sun leaves the room through a window's glass. Every
 * light gets one shadow ray per pixel, unless its unshadowed contribution is below 0.1% of white
 * after exposure; a point light's shadow ray tests only the primitives its {@link LightBuffer}
 * lists for the ray's direction (or walks the BVH when that list is long), the sun's walks the BVH.
 * Windows and lamp fixtures glow (emissive, unlit).
 *
 * <p><b>Motion blur</b> is a post-process: each pixel's world point (from its depth) is projected
 * into the previous frame's camera; the difference is the pixel's image motion over one frame
 * interval; a small random hand tremor (a rotation of 0.0015 rad standard deviation per frame
 * interval, drawn per frame) is added, and the pixel's radiance is averaged over up to 16 taps
 * along that motion scaled by the domain's shutter fraction (the camera integrates while it moves
 * from the previous pose towards this one). Labels and depth are those of the current pose,
 * unblurred.
 *
 * <p>Rows are rendered in parallel (the common fork-join pool); every value, noise included, is a
 * pure function of the pixel, the frame's noise key and the inputs, so the output is bit-identical
 * whatever the scheduling. A renderer is immutable and may be shared between threads.
 *
 * <p>One file: the per-pixel path (ray, hit, material, lights, camera noise) is read top to bottom
 * in one place; splitting it would scatter the hot loop over files.
 */
public final class SyntheticRenderer {

    private static final int ROWS_PER_TASK = 4;

    /** Standard deviation of the hand's rotation per frame interval (radians). */
    private static final double TREMOR = 0.0015;

    private static final double AMBIENT_OCCLUSION_REACH = 0.18;
    private static final double SHADOW_BIAS = 1e-4;

    /** Longer light-buffer lists than this go to the BVH instead. */
    private static final int LIST_LIMIT = 24;

    /** Light contributions below this (after exposure; white is 1) are skipped. */
    private static final double NEGLIGIBLE = 1e-3;

    private static final int TONE_STEPS = 8192;
    private static final double TONE_MAX = 8;
    private static final byte[] TONE = new byte[TONE_STEPS + 1];

    static {
        for (int i = 0; i <= TONE_STEPS; i++) {
            double v = i * TONE_MAX / TONE_STEPS;
            // Linear up to 0.75, then a soft shoulder towards white.
            double y = v < 0.75 ? v : 0.75 + 0.25 * (1 - Math.exp(-(v - 0.75) / 0.25));
            TONE[i] = (byte) Math.round(255 * Rgb.linearToSrgb(Math.min(1, y)));
        }
    }

    private static final int PAINT = Material.PAINT.ordinal();
    private static final int WOOD = Material.WOOD.ordinal();
    private static final int FABRIC = Material.FABRIC.ordinal();
    private static final int LEATHER = Material.LEATHER.ordinal();
    private static final int METAL = Material.METAL.ordinal();
    private static final int BOOK = Material.BOOK.ordinal();
    private static final int SCREEN = Material.SCREEN.ordinal();
    private static final int BEDDING = Material.BEDDING.ordinal();
    private static final int EMISSIVE = Material.EMISSIVE.ordinal();
    private static final Material[] MATERIALS = Material.values();

    private final Intrinsics intrinsics;

    /** A renderer at NYU's intrinsics scaled to {@code height x width}. */
    public SyntheticRenderer(int height, int width) {
        this(Intrinsics.nyu(height, width));
    }

    public SyntheticRenderer(Intrinsics intrinsics) {
        this.intrinsics = Objects.requireNonNull(intrinsics, "intrinsics");
    }

    public Intrinsics intrinsics() {
        return intrinsics;
    }

    /**
     * Renders {@code pose} of {@code scene}.
     *
     * @param id the sample's id
     * @param previous the previous frame's pose for motion blur, or null (no blur)
     * @param noiseKey seeds the sensor noise of this frame
     */
    public DenseSample render(
            String id,
            IndoorScene scene,
            CameraPose pose,
            CameraPose previous,
            Domain domain,
            long noiseKey) {
        Frame f = new Frame(scene, pose, domain);
        int h = intrinsics.height();
        int w = intrinsics.width();
        float[] radiance = new float[3 * h * w];
        float[] depth = new float[h * w];
        int[] labels = new int[h * w];
        int tasks = (h + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream.range(0, tasks)
                .parallel()
                .forEach(
                        t -> {
                            Ctx c = new Ctx();
                            int v1 = Math.min(h, (t + 1) * ROWS_PER_TASK);
                            for (int v = t * ROWS_PER_TASK; v < v1; v++) {
                                f.row(v, c, radiance, depth, labels);
                            }
                        });
        byte[] rgb = new byte[3 * h * w];
        double[][] prevAxes = previous == null || domain.motionBlur() <= 0 ? null : previous.axes();
        IntStream.range(0, tasks)
                .parallel()
                .forEach(
                        t -> {
                            int v1 = Math.min(h, (t + 1) * ROWS_PER_TASK);
                            for (int v = t * ROWS_PER_TASK; v < v1; v++) {
                                f.develop(v, radiance, depth, previous, prevAxes, noiseKey, rgb);
                            }
                        });
        return new DenseSample(id, h, w, rgb, labels, depth);
    }

    /** Per-thread scratch. */
    private static final class Ctx {
        final int[] stack = new int[Bvh.STACK];
        final int[] hit = new int[1];
        final double[] surf = new double[7];
        int label;
        double ar;
        double ag;
        double ab;
        double nx;
        double ny;
        double nz;
        double er;
        double eg;
        double eb;
        boolean emissiveOnly;
        double ks;
        int shininess;
        double ao;
    }

    /** One frame's constants. */
    private final class Frame {
        final IndoorScene scene;
        final Bvh bvh;
        final SceneShading sh;
        final Domain domain;
        final double w;
        final double h;
        final double d;
        final double ox;
        final double oy;
        final double oz;
        final double[] right;
        final double[] down;
        final double[] fwd;
        final int lights;
        final double[] lpos;
        final double[] lcol;
        final double[] lobe;

        /** Largest channel of each light's colour. */
        final double[] lmax;

        final double exposure;
        final double ambR;
        final double ambG;
        final double ambB;
        final double glowR;
        final double glowG;
        final double glowB;
        final double skyR;
        final double skyG;
        final double skyB;
        final double[] sun;
        final double sunR;
        final double sunG;
        final double sunB;
        final SceneShading.Decal[] sunWindows;
        final int sunWall;
        final double gainR;
        final double gainG;
        final double gainB;

        Frame(IndoorScene scene, CameraPose pose, Domain domain) {
            this.scene = scene;
            this.bvh = scene.bvh;
            this.sh = scene.shading();
            this.domain = domain;
            w = scene.width();
            h = scene.height();
            d = scene.depth();
            ox = pose.x();
            oy = pose.y();
            oz = pose.z();
            if (!(ox > 0 && ox < w && oy > 0 && oy < h && oz > 0 && oz < d)) {
                throw new IllegalArgumentException(
                        "camera " + pose + " is not inside the room " + w + " x " + h + " x " + d);
            }
            double[][] axes = pose.axes();
            right = axes[0];
            down = axes[1];
            fwd = axes[2];
            Rgb lamp =
                    ColorTemperature.of(
                            Math.max(1000, domain.lampKelvin() + scene.lampKelvinOffset()));
            Rgb sky = ColorTemperature.of(domain.skyKelvin());
            lights = scene.lights().size();
            lpos = new double[3 * lights];
            lcol = new double[3 * lights];
            lobe = new double[3 * lights];
            lmax = new double[lights];
            exposure = domain.exposure();
            double sumR = 0;
            double sumG = 0;
            double sumB = 0;
            for (int i = 0; i < lights; i++) {
                Light l = scene.lights().get(i);
                boolean isLamp = l.kind() == Light.Kind.LAMP;
                Rgb c =
                        (isLamp ? lamp : sky)
                                .times(
                                        l.power()
                                                * (isLamp
                                                        ? domain.lampIntensity()
                                                        : domain.windowIntensity()));
                lpos[3 * i] = l.x();
                lpos[3 * i + 1] = l.y();
                lpos[3 * i + 2] = l.z();
                lcol[3 * i] = c.r();
                lcol[3 * i + 1] = c.g();
                lcol[3 * i + 2] = c.b();
                lmax[i] = Math.max(c.r(), Math.max(c.g(), c.b()));
                lobe[3 * i] = l.nx();
                lobe[3 * i + 2] = l.nz();
                lobe[3 * i + 1] = isLamp ? 0 : 1;
                sumR += c.r();
                sumG += c.g();
                sumB += c.b();
            }
            // Indirect light: a fraction of the total light, spread over the room's surfaces.
            double area = 2 * (w * d + w * h + d * h);
            double k = domain.ambient() * 6 / area;
            ambR = sumR * k + 0.002;
            ambG = sumG * k + 0.002;
            ambB = sumB * k + 0.002;
            Rgb glow = lamp.times(4 * domain.lampIntensity());
            glowR = glow.r();
            glowG = glow.g();
            glowB = glow.b();
            Rgb neutral = ColorTemperature.of(6500);
            skyR = 1.6 * domain.windowIntensity() * sky.r() / neutral.r();
            skyG = 1.6 * domain.windowIntensity() * sky.g() / neutral.g();
            skyB = 1.6 * domain.windowIntensity() * sky.b() / neutral.b();
            double[] s = scene.sunDirection();
            int sw = -1;
            if (s != null && domain.sunIntensity() > 0) {
                for (Wall wall : Wall.values()) {
                    if (-wall.nx * s[0] - wall.nz * s[2] > 0
                            && sh.windows[wall.ordinal()].length > 0) {
                        sw = wall.ordinal();
                    }
                }
            }
            if (sw >= 0) {
                sun = s;
                sunWall = sw;
                sunWindows = sh.windows[sw];
                Rgb sc =
                        ColorTemperature.of(Math.max(1000, domain.skyKelvin() - 1200))
                                .times(2.2 * domain.sunIntensity());
                sunR = sc.r();
                sunG = sc.g();
                sunB = sc.b();
            } else {
                sun = null;
                sunWall = -1;
                sunWindows = null;
                sunR = sunG = sunB = 0;
            }
            Rgb wb = ColorTemperature.of(domain.whiteBalanceKelvin());
            gainR = domain.exposure() * wb.g() / wb.r();
            gainG = domain.exposure();
            gainB = domain.exposure() * wb.g() / wb.b();
        }

        void row(int v, Ctx c, float[] radiance, float[] depthOut, int[] labels) {
            Intrinsics k = intrinsics;
            int width = k.width();
            double yc = (v - k.cy()) / k.fy();
            double bx = fwd[0] + yc * down[0];
            double by = fwd[1] + yc * down[1];
            double bz = fwd[2] + yc * down[2];
            for (int u = 0; u < width; u++) {
                double xc = (u - k.cx()) / k.fx();
                double dx = bx + xc * right[0];
                double dy = by + xc * right[1];
                double dz = bz + xc * right[2];
                // The room's shell: the ray leaves the box [0,w]x[0,h]x[0,d] through one face.
                double tx = dx > 0 ? (w - ox) / dx : dx < 0 ? -ox / dx : Double.POSITIVE_INFINITY;
                double ty = dy > 0 ? (h - oy) / dy : dy < 0 ? -oy / dy : Double.POSITIVE_INFINITY;
                double tz = dz > 0 ? (d - oz) / dz : dz < 0 ? -oz / dz : Double.POSITIVE_INFINITY;
                double tShell;
                int face;
                if (ty <= tx && ty <= tz) {
                    tShell = ty;
                    face = dy > 0 ? 1 : 0;
                } else if (tx <= tz) {
                    tShell = tx;
                    face = dx > 0 ? 2 + Wall.EAST.ordinal() : 2 + Wall.WEST.ordinal();
                } else {
                    tShell = tz;
                    face = dz > 0 ? 2 + Wall.NORTH.ordinal() : 2 + Wall.SOUTH.ordinal();
                }
                double t = bvh.nearest(ox, oy, oz, dx, dy, dz, 1e-9, tShell, c.stack, c.hit);
                int prim = c.hit[0];
                double px = ox + t * dx;
                double py = oy + t * dy;
                double pz = oz + t * dz;
                if (prim >= 0) {
                    primitiveSurface(c, prim, px, py, pz);
                } else {
                    shellSurface(c, face, px, py, pz, dx, dy, dz);
                }
                int i = v * width + u;
                labels[i] = c.label;
                depthOut[i] = (float) t;
                double r = c.er;
                double g = c.eg;
                double b = c.eb;
                if (!c.emissiveOnly) {
                    shade(c, px, py, pz, dx, dy, dz);
                    r += c.er;
                    g += c.eg;
                    b += c.eb;
                }
                if (domain.hazeDensity() > 0) {
                    double dist = t * Math.sqrt(dx * dx + dy * dy + dz * dz);
                    double e = Math.exp(-domain.hazeDensity() * dist);
                    Rgb hc = domain.hazeColor();
                    r = r * e + hc.r() * (1 - e);
                    g = g * e + hc.g() * (1 - e);
                    b = b * e + hc.b() * (1 - e);
                }
                radiance[3 * i] = (float) r;
                radiance[3 * i + 1] = (float) g;
                radiance[3 * i + 2] = (float) b;
            }
        }

        /**
         * Direct and ambient light at a non-emissive surface; leaves the radiance in c.er/eg/eb.
         */
        void shade(Ctx c, double px, double py, double pz, double dx, double dy, double dz) {
            double nx = c.nx;
            double ny = c.ny;
            double nz = c.nz;
            double amb = c.ao * (0.85 + 0.15 * ny);
            double dr = ambR * amb;
            double dg = ambG * amb;
            double db = ambB * amb;
            double sr = 0;
            double sg = 0;
            double sb = 0;
            double sx = px + nx * SHADOW_BIAS;
            double sy = py + ny * SHADOW_BIAS;
            double sz = pz + nz * SHADOW_BIAS;
            double vlen = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz);
            double vx = -dx * vlen;
            double vy = -dy * vlen;
            double vz = -dz * vlen;
            boolean glossy = c.ks > 0;
            for (int i = 0; i < lights; i++) {
                double lx = lpos[3 * i] - sx;
                double ly = lpos[3 * i + 1] - sy;
                double lz = lpos[3 * i + 2] - sz;
                double ndl = nx * lx + ny * ly + nz * lz;
                if (ndl <= 0) {
                    continue;
                }
                double d2 = lx * lx + ly * ly + lz * lz;
                double inv = 1 / Math.sqrt(d2);
                double e = ndl * inv / (d2 + 0.25);
                if (lobe[3 * i + 1] != 0) {
                    // Window light: a cosine lobe into the room.
                    double cos = -(lx * lobe[3 * i] + lz * lobe[3 * i + 2]) * inv;
                    if (cos <= 0) {
                        continue;
                    }
                    e *= cos;
                }
                if (e * lmax[i] * exposure < NEGLIGIBLE) {
                    // Too faint to change the pixel: skip the shadow ray and the light.
                    continue;
                }
                // Only the primitives listed in the light buffer's cell of this direction can block
                // it.
                LightBuffer lb = sh.lightBuffers[i];
                int cell = LightBuffer.cell(-lx, -ly, -lz);
                int from = lb.offsets[cell];
                int to = lb.offsets[cell + 1];
                boolean blocked =
                        to - from <= LIST_LIMIT
                                ? to > from
                                        && bvh.anyOf(
                                                lb.prims, from, to, sx, sy, sz, lx, ly, lz, 1e-7, 1)
                                : bvh.any(sx, sy, sz, lx, ly, lz, 1e-7, 1, c.stack);
                if (blocked) {
                    continue;
                }
                double er = e * lcol[3 * i];
                double eg = e * lcol[3 * i + 1];
                double eb = e * lcol[3 * i + 2];
                dr += er;
                dg += eg;
                db += eb;
                if (glossy) {
                    double spec = specular(c, nx, ny, nz, lx * inv, ly * inv, lz * inv, vx, vy, vz);
                    sr += er * spec;
                    sg += eg * spec;
                    sb += eb * spec;
                }
            }
            if (sun != null) {
                double ndl = nx * sun[0] + ny * sun[1] + nz * sun[2];
                if (ndl > 0 && sunlit(c, sx, sy, sz)) {
                    dr += sunR * ndl;
                    dg += sunG * ndl;
                    db += sunB * ndl;
                    if (glossy) {
                        double spec = specular(c, nx, ny, nz, sun[0], sun[1], sun[2], vx, vy, vz);
                        sr += sunR * ndl * spec;
                        sg += sunG * ndl * spec;
                        sb += sunB * ndl * spec;
                    }
                }
            }
            c.er = c.ar * dr + sr;
            c.eg = c.ag * dg + sg;
            c.eb = c.ab * db + sb;
        }

        double specular(
                Ctx c,
                double nx,
                double ny,
                double nz,
                double lx,
                double ly,
                double lz,
                double vx,
                double vy,
                double vz) {
            double hx = lx + vx;
            double hy = ly + vy;
            double hz = lz + vz;
            double hl = Math.sqrt(hx * hx + hy * hy + hz * hz);
            if (hl < 1e-12) {
                return 0;
            }
            double ndh = (nx * hx + ny * hy + nz * hz) / hl;
            if (ndh <= 0.6) {
                // 0.6^12 (the broadest lobe) is 0.002.
                return 0;
            }
            return c.ks * powInt(ndh, c.shininess);
        }

        /** Whether sunlight reaches the point through a window of the sun's wall, unoccluded. */
        boolean sunlit(Ctx c, double sx, double sy, double sz) {
            double t;
            double a;
            Wall wall = Wall.values()[sunWall];
            switch (wall) {
                case SOUTH -> {
                    t = -sz / sun[2];
                    a = sx + t * sun[0];
                }
                case NORTH -> {
                    t = (d - sz) / sun[2];
                    a = sx + t * sun[0];
                }
                case EAST -> {
                    t = (w - sx) / sun[0];
                    a = sz + t * sun[2];
                }
                default -> {
                    t = -sx / sun[0];
                    a = sz + t * sun[2];
                }
            }
            if (!(t > 0)) {
                return false;
            }
            double y = sy + t * sun[1];
            for (SceneShading.Decal win : sunWindows) {
                double f = win.frame;
                if (a > win.a0 + f && a < win.a1 - f && y > win.y0 + f && y < win.y1 - f) {
                    if (win.mullion && Math.abs(a - (win.a0 + win.a1) / 2) < 0.025) {
                        return false;
                    }
                    return !bvh.any(sx, sy, sz, sun[0], sun[1], sun[2], 1e-7, t, c.stack);
                }
            }
            return false;
        }

        // ---- surfaces -------------------------------------------------------------------------

        void primitiveSurface(Ctx c, int prim, double px, double py, double pz) {
            double[] s = c.surf;
            bvh.surface(prim, px, py, pz, s);
            c.label = sh.classId[prim];
            c.nx = s[0];
            c.ny = s[1];
            c.nz = s[2];
            int m = sh.material[prim];
            Material mat = MATERIALS[m];
            c.ks = mat.specular;
            c.shininess = mat.shininess;
            c.er = c.eg = c.eb = 0;
            c.emissiveOnly = false;
            double r = sh.color[3 * prim];
            double g = sh.color[3 * prim + 1];
            double b = sh.color[3 * prim + 2];
            long seed = sh.seed[prim];
            double lx = s[3];
            double ly = s[4];
            double lz = s[5];
            int faceAxis = (int) s[6];
            int hint = sh.hint[prim];
            double tone = 1;
            int kind = bvh.kind[prim];
            boolean box = kind == Bvh.AABOX || kind == Bvh.YAWBOX;
            if (m == EMISSIVE) {
                c.er = glowR;
                c.eg = glowG;
                c.eb = glowB;
                c.emissiveOnly = true;
                c.ar = c.ag = c.ab = 0;
                return;
            } else if (m == WOOD) {
                int axis = box ? hint & 3 : 1;
                double along = axis == 0 ? lx : axis == 1 ? ly : lz;
                double across =
                        box
                                ? (axis == 0 ? ly + lz : axis == 1 ? lx + lz : lx + ly)
                                : Math.atan2(lx, lz) * 0.05;
                double warp = Noise.value(seed, along * 0.9, across * 3);
                double ring = 0.5 + 0.5 * Math.sin((across * 70 + warp * 9) + Noise.unit(seed) * 6);
                double fine = Noise.value(seed + 3, along * 2, across * 90);
                tone = 0.8 + 0.16 * ring * ring + 0.1 * fine;
            } else if (m == FABRIC || m == BEDDING) {
                double f =
                        Noise.value(seed, lx * 45 + ly * 13, ly * 45 + lz * 17, lz * 45 + lx * 7);
                double broad = Noise.value(seed + 5, lx * 3 + lz * 2, ly * 3);
                tone = m == FABRIC ? 0.84 + 0.18 * f + 0.08 * broad : 0.9 + 0.06 * f + 0.1 * broad;
                if (m == BEDDING) {
                    // Soft folds.
                    tone *= 0.96 + 0.04 * Math.sin(lx * 11 + 5 * broad);
                }
            } else if (m == LEATHER) {
                tone = 0.88 + 0.16 * Noise.value(seed, lx * 9 + lz * 3, ly * 9);
            } else if (m == METAL) {
                double along = box && (hint & 3) == 0 ? lx : box && (hint & 3) == 2 ? lz : ly;
                tone = 0.85 + 0.15 * Noise.value(seed, along * 3, (lx + ly + lz) * 160);
            } else if (m == BOOK) {
                tone = book(c, prim, s, seed);
                r = c.ar;
                g = c.ag;
                b = c.ab;
            } else if (m == SCREEN) {
                tone = 1;
            } else {
                tone = 0.97 + 0.06 * Noise.value(seed, (lx + lz) * 6, ly * 6);
            }
            if (box && (hint & 8) != 0 && faceAxis != 1) {
                tone *= panel(prim, lx, ly, lz, faceAxis, seed);
            }
            // Occlusion at the foot of furniture, where it meets the floor.
            double ao = py > 0.5 ? 1 : 1 - 0.35 * Math.exp(-py / 0.06);
            c.ao = ao;
            c.ar = r * tone;
            c.ag = g * tone;
            c.ab = b * tone;
        }

        /** Door or drawer grooves on the front (and back) of a cabinet body. */
        double panel(int prim, double lx, double ly, double lz, int faceAxis, long seed) {
            int o = prim * Bvh.STRIDE;
            double hx = bvh.geom[o + 3];
            double hy = bvh.geom[o + 4];
            double hz = bvh.geom[o + 5];
            // The front is the face across the shorter horizontal extent.
            int front = hx < hz ? 0 : 2;
            if (faceAxis != front) {
                return 1;
            }
            double across = front == 0 ? lz : lx;
            double half = front == 0 ? hz : hx;
            double yy = ly + hy;
            double groove = 0.004;
            if ((seed & 1) == 1) {
                int rows = Math.max(1, (int) (2 * hy / 0.22));
                double pitch = 2 * hy / rows;
                double f = yy - Math.floor(yy / pitch) * pitch;
                if (f < groove || pitch - f < groove) {
                    return 0.45;
                }
            } else {
                if (half > 0.35 && Math.abs(across) < groove) {
                    return 0.45;
                }
                // A recessed panel outline on each door.
                double doorHalf = half > 0.35 ? half / 2 : half;
                double local = half > 0.35 ? Math.abs(across) - doorHalf : across;
                double edge = Math.min(doorHalf - Math.abs(local), Math.min(yy, 2 * hy - yy));
                if (Math.abs(edge - 0.06) < 0.004) {
                    return 0.7;
                }
            }
            double edge = Math.min(half - Math.abs(across), Math.min(yy, 2 * hy - yy));
            return edge < groove ? 0.5 : 1;
        }

        /** Book colours: cover, spine with bands, cream page edges. Sets c.ar/ag/ab, returns 1. */
        double book(Ctx c, int prim, double[] s, long seed) {
            int o = prim * Bvh.STRIDE;
            double[] half = {bvh.geom[o + 3], bvh.geom[o + 4], bvh.geom[o + 5]};
            int smallest =
                    half[0] <= half[1] && half[0] <= half[2] ? 0 : half[1] <= half[2] ? 1 : 2;
            int largest = half[0] > half[1] && half[0] > half[2] ? 0 : half[1] > half[2] ? 1 : 2;
            int face = (int) s[6];
            double r = sh.color[3 * prim];
            double g = sh.color[3 * prim + 1];
            double b = sh.color[3 * prim + 2];
            double n = Noise.value(seed, s[3] * 60 + s[4] * 7, s[5] * 60 + s[4] * 40);
            if (face == largest && face != smallest) {
                // Page edges.
                double lines = 0.92 + 0.08 * n;
                c.ar = 0.72 * lines;
                c.ag = 0.66 * lines;
                c.ab = 0.5 * lines;
                return 1;
            }
            if (face != smallest) {
                // The spine: title bands across the longest axis.
                double pos = (s[3 + largest] + half[largest]) / (2 * half[largest]);
                double b1 = 0.12 + 0.1 * Noise.unit(seed);
                double b2 = 0.55 + 0.25 * Noise.unit(seed >>> 7);
                boolean band = Math.abs(pos - b1) < 0.03 || Math.abs(pos - b2) < 0.06;
                if (band) {
                    boolean gold = (seed & 4) != 0;
                    c.ar = gold ? 0.6 : Math.min(1, r * 0.3 + 0.5);
                    c.ag = gold ? 0.45 : Math.min(1, g * 0.3 + 0.5);
                    c.ab = gold ? 0.15 : Math.min(1, b * 0.3 + 0.5);
                    return 1;
                }
            }
            double t = 0.92 + 0.1 * n;
            c.ar = r * t;
            c.ag = g * t;
            c.ab = b * t;
            return 1;
        }

        void shellSurface(
                Ctx c, int face, double px, double py, double pz, double dx, double dy, double dz) {
            c.er = c.eg = c.eb = 0;
            c.emissiveOnly = false;
            c.ks = 0;
            c.shininess = 1;
            long seed = scene.seed();
            if (face == 0) {
                c.label = SyntheticClasses.FLOOR;
                c.nx = 0;
                c.ny = 1;
                c.nz = 0;
                floor(c, px, pz, seed);
                c.ao = occlusion(px) * occlusion(w - px) * occlusion(pz) * occlusion(d - pz);
                return;
            }
            if (face == 1) {
                c.label = SyntheticClasses.CEILING;
                c.nx = 0;
                c.ny = -1;
                c.nz = 0;
                Rgb cc = scene.ceilingColor();
                double t = 0.97 + 0.05 * Noise.value(seed + 99, px * 2, pz * 2);
                c.ar = cc.r() * t;
                c.ag = cc.g() * t;
                c.ab = cc.b() * t;
                c.ao = occlusion(px) * occlusion(w - px) * occlusion(pz) * occlusion(d - pz);
                return;
            }
            Wall wall = Wall.values()[face - 2];
            c.nx = wall.nx;
            c.ny = 0;
            c.nz = wall.nz;
            double a = wall.alongX() ? px : pz;
            double len = wall.alongX() ? w : d;
            c.ao = occlusion(py) * occlusion(h - py) * occlusion(a) * occlusion(len - a);
            for (SceneShading.Decal dc : sh.decals[wall.ordinal()]) {
                if (a >= dc.a0 && a <= dc.a1 && py >= dc.y0 && py <= dc.y1) {
                    if (dc.window) {
                        window(c, dc, a, py, dx, dy, dz);
                    } else {
                        picture(c, dc, a, py);
                    }
                    return;
                }
            }
            c.label = SyntheticClasses.WALL;
            wallPaint(c, wall, a, py, seed);
        }

        double occlusion(double dist) {
            // Beyond 1.2 m the term is within 0.05% of 1.
            return dist > 1.2 ? 1 : 1 - 0.45 * Math.exp(-dist / AMBIENT_OCCLUSION_REACH);
        }

        void floor(Ctx c, double x, double z, long seed) {
            Rgb base = scene.floorColor();
            double s = scene.floorScale();
            double tone;
            switch (scene.floorStyle()) {
                case PLANKS_X, PLANKS_Z -> {
                    boolean alongX = scene.floorStyle() == IndoorScene.FloorStyle.PLANKS_X;
                    double along = alongX ? x : z;
                    double across = alongX ? z : x;
                    double row = Math.floor(across / s);
                    double len = 1.2;
                    double shift = Noise.unit(Noise.hash(seed, (long) row, 1)) * len;
                    double col = Math.floor((along + shift) / len);
                    long plank = Noise.hash(seed, (long) row, (long) col);
                    double fa = along + shift - col * len;
                    double fc = across - row * s;
                    double grain = Noise.value(plank, fa * 1.5, fc * 40);
                    double ring =
                            0.5
                                    + 0.5
                                            * Math.sin(
                                                    fc * 90
                                                            + 6
                                                                    * Noise.value(
                                                                            plank + 1, fa * 0.8,
                                                                            fc * 4));
                    tone = (0.8 + 0.3 * Noise.unit(plank)) * (0.88 + 0.08 * ring + 0.08 * grain);
                    if (fc < 0.003 || s - fc < 0.003 || fa < 0.003) {
                        tone *= 0.45;
                    }
                }
                case TILES -> {
                    double fx = x / s - Math.floor(x / s);
                    double fz = z / s - Math.floor(z / s);
                    long tile =
                            Noise.hash(seed, (long) Math.floor(x / s), (long) Math.floor(z / s));
                    double g = 0.006 / s;
                    if (fx < g || fz < g || fx > 1 - g || fz > 1 - g) {
                        c.ar = 0.35;
                        c.ag = 0.34;
                        c.ab = 0.32;
                        return;
                    }
                    double marble = Noise.fbm2(tile, x * 5, z * 5);
                    tone = (0.93 + 0.1 * Noise.unit(tile)) * (0.9 + 0.16 * marble);
                    c.ks = 0.12;
                    c.shininess = 32;
                }
                default -> {
                    double f = Noise.value(seed + 5, x * 60, z * 60);
                    double broad = Noise.value(seed + 6, x * 1.5, z * 1.5);
                    tone = 0.82 + 0.22 * f + 0.08 * broad;
                }
            }
            c.ar = base.r() * tone;
            c.ag = base.g() * tone;
            c.ab = base.b() * tone;
        }

        void wallPaint(Ctx c, Wall wall, double a, double y, long seed) {
            Rgb base = scene.wallColor();
            if (y < 0.09) {
                // Skirting board.
                Rgb t = scene.trimColor();
                double k = y > 0.085 ? 0.8 : 1;
                c.ar = t.r() * k;
                c.ag = t.g() * k;
                c.ab = t.b() * k;
                return;
            }
            switch (scene.wallStyle()) {
                case STRIPES -> {
                    if (((long) Math.floor(a / 0.15) & 1) == 1) {
                        base = scene.accentColor();
                    }
                }
                case WAINSCOT -> {
                    if (y < 0.9) {
                        base = scene.accentColor();
                        double f = a / 0.45 - Math.floor(a / 0.45);
                        if (f < 0.01 || y > 0.86) {
                            base = base.times(y > 0.86 && y < 0.88 ? 0.75 : 1.1);
                        }
                    }
                }
                default -> {}
            }
            long ws = seed + wall.ordinal() * 31L;
            double tone =
                    0.965
                            + 0.06 * Noise.fbm2(ws, a * 2.5, y * 2.5)
                            + 0.02 * Noise.value(ws + 1, a * 35, y * 35);
            c.ar = base.r() * tone;
            c.ag = base.g() * tone;
            c.ab = base.b() * tone;
        }

        void window(
                Ctx c, SceneShading.Decal dc, double a, double y, double dx, double dy, double dz) {
            c.label = SyntheticClasses.WINDOW;
            double f = dc.frame;
            boolean frame =
                    a - dc.a0 < f
                            || dc.a1 - a < f
                            || y - dc.y0 < f
                            || dc.y1 - y < f
                            || dc.mullion && Math.abs(a - (dc.a0 + dc.a1) / 2) < 0.025
                            || dc.transom && Math.abs(y - (dc.y0 + 0.65 * (dc.y1 - dc.y0))) < 0.02;
            if (frame) {
                Rgb t = scene.trimColor();
                c.ar = t.r();
                c.ag = t.g();
                c.ab = t.b();
                c.ks = 0.05;
                c.shininess = 16;
                return;
            }
            // The glass shows the outside along the ray: sky, a skyline, the ground.
            double len = Math.sqrt(dx * dx + dy * dy + dz * dz);
            double elev = dy / len;
            double az = Math.atan2(dx, dz);
            double r;
            double g;
            double b;
            long cell = (long) Math.floor(az * 2.5);
            double treeTop =
                    -0.03
                            + 0.13 * Noise.value(dc.seed + 9, az * 12, 0)
                            + 0.04 * Noise.value(dc.seed + 19, az * 70, 0);
            boolean building = Noise.unit(Noise.hash(dc.seed, cell, 5)) < 0.45;
            double roof = 0.04 + 0.26 * Noise.unit(Noise.hash(dc.seed, cell, 3));
            if (elev < -0.16) {
                // Lawn and path below.
                double n = Noise.value(dc.seed + 11, az * 40, elev * 40);
                r = 0.2 + 0.08 * n;
                g = 0.27 + 0.1 * n;
                b = 0.14 + 0.05 * n;
            } else if (elev < treeTop) {
                double n = Noise.value(dc.seed + 10, az * 90, elev * 90);
                double m = Noise.value(dc.seed + 12, az * 20, elev * 20);
                r = 0.05 + 0.08 * n + 0.04 * m;
                g = 0.12 + 0.12 * n + 0.06 * m;
                b = 0.04 + 0.05 * n;
            } else if (building && elev < roof) {
                double n = Noise.unit(Noise.hash(dc.seed, cell, 4));
                double fx = az * 45 - Math.floor(az * 45);
                double fy = elev * 45 - Math.floor(elev * 45);
                boolean pane = fx < 0.45 && fy < 0.55;
                r = pane ? 0.2 : 0.5 + 0.3 * n;
                g = pane ? 0.24 : 0.47 + 0.28 * n;
                b = pane ? 0.3 : 0.44 + 0.22 * n;
            } else {
                double k = Math.min(1, Math.max(0, elev) * 1.6);
                r = 0.85 + (0.35 - 0.85) * k;
                g = 0.9 + (0.55 - 0.9) * k;
                b = 1.0 + (0.95 - 1.0) * k;
            }
            c.er = r * skyR;
            c.eg = g * skyG;
            c.eb = b * skyB;
            c.ar = c.ag = c.ab = 0;
            c.emissiveOnly = true;
        }

        void picture(Ctx c, SceneShading.Decal dc, double a, double y) {
            c.label = SyntheticClasses.PICTURE;
            double f = dc.frame;
            double ea = Math.min(a - dc.a0, dc.a1 - a);
            double ey = Math.min(y - dc.y0, dc.y1 - y);
            if (ea < f || ey < f) {
                c.ar = dc.frameColor[0];
                c.ag = dc.frameColor[1];
                c.ab = dc.frameColor[2];
                c.ks = 0.15;
                c.shininess = 24;
                return;
            }
            if (ea < f + dc.mat || ey < f + dc.mat) {
                c.ar = 0.85;
                c.ag = 0.84;
                c.ab = 0.8;
                return;
            }
            double in = f + dc.mat;
            double s = (a - dc.a0 - in) / (dc.a1 - dc.a0 - 2 * in);
            double t = (y - dc.y0 - in) / (dc.y1 - dc.y0 - 2 * in);
            double[] p = dc.palette;
            int k;
            double shade = 1;
            switch (dc.style) {
                case 0 -> {
                    // Colour blocks separated by dark lines.
                    boolean line =
                            Math.abs(s - dc.split1) < 0.012
                                    || Math.abs(t - dc.split2) < 0.012
                                    || s > dc.split1 && Math.abs(t - dc.split3) < 0.012;
                    if (line) {
                        c.ar = c.ag = c.ab = 0.02;
                        return;
                    }
                    k =
                            (s < dc.split1 ? 0 : 1)
                                    + (t < dc.split2 ? 0 : 2)
                                    + (s > dc.split1 && t > dc.split3 ? 2 : 0);
                    k = Math.min(k, 5);
                }
                case 1 -> {
                    // A landscape: sky gradient, hills, a sun.
                    double hill =
                            0.35
                                    + 0.12 * Math.sin(s * 7 + dc.split1 * 10)
                                    + 0.05 * Math.sin(s * 19);
                    double sunD = Math.hypot(s - dc.split2, t - 0.75);
                    if (sunD < 0.07) {
                        c.ar = 0.95;
                        c.ag = 0.85;
                        c.ab = 0.5;
                        return;
                    }
                    if (t > hill) {
                        c.ar = 0.35 + 0.3 * t;
                        c.ag = 0.5 + 0.25 * t;
                        c.ab = 0.75 + 0.15 * t;
                        return;
                    }
                    k = t > hill - 0.1 ? 2 : 3;
                    shade = 0.7 + 0.3 * t / hill;
                }
                case 2 -> {
                    // Circles on a gradient.
                    double c1 = Math.hypot(s - dc.split1, t - dc.split2);
                    double c2 = Math.hypot(s - dc.split3, t - (1 - dc.split1));
                    k = c1 < 0.22 ? 2 : c2 < 0.15 ? 3 : 0;
                    if (k == 0) {
                        double m = t;
                        c.ar = p[0] + (p[3] - p[0]) * m;
                        c.ag = p[1] + (p[4] - p[1]) * m;
                        c.ab = p[2] + (p[5] - p[2]) * m;
                        return;
                    }
                }
                default -> {
                    // Diagonal bands.
                    double band = (s + t * (0.5 + dc.split1)) * 5;
                    k = (int) Math.floor(band) % 6;
                    if (k < 0) {
                        k += 6;
                    }
                }
            }
            c.ar = p[3 * k] * shade;
            c.ag = p[3 * k + 1] * shade;
            c.ab = p[3 * k + 2] * shade;
        }

        // ---- the camera ------------------------------------------------------------------------

        /** Motion blur, exposure, white balance, vignetting, noise and tone mapping of row v. */
        void develop(
                int v,
                float[] radiance,
                float[] depth,
                CameraPose prev,
                double[][] prevAxes,
                long noiseKey,
                byte[] rgb) {
            Intrinsics k = intrinsics;
            int width = k.width();
            int height = k.height();
            double shutter = domain.motionBlur();
            double readVar = domain.readNoise() * domain.readNoise();
            double shotVar = domain.shotNoise() * domain.shotNoise();
            double vig = domain.vignette();
            double halfDiag2 = 0.25 * (width * (double) width + height * (double) height);
            // Hand tremor during the exposure: a small random rotation per frame interval.
            long th = Noise.mix(noiseKey ^ 0x7e3e0L);
            double tremorU = TREMOR * k.fx() * Noise.gauss16(th, 0);
            double tremorV = TREMOR * k.fy() * Noise.gauss16(th, 16);
            for (int u = 0; u < width; u++) {
                int i = v * width + u;
                double r = radiance[3 * i];
                double g = radiance[3 * i + 1];
                double b = radiance[3 * i + 2];
                if (prevAxes != null) {
                    // Where this pixel's world point was in the previous frame.
                    double z = depth[i];
                    double xc = (u - k.cx()) / k.fx();
                    double yc = (v - k.cy()) / k.fy();
                    double wx = ox + z * (fwd[0] + xc * right[0] + yc * down[0]) - prev.x();
                    double wy = oy + z * (fwd[1] + xc * right[1] + yc * down[1]) - prev.y();
                    double wz = oz + z * (fwd[2] + xc * right[2] + yc * down[2]) - prev.z();
                    double pz = wx * prevAxes[2][0] + wy * prevAxes[2][1] + wz * prevAxes[2][2];
                    if (pz > 1e-3) {
                        double pu =
                                k.cx()
                                        + k.fx()
                                                * (wx * prevAxes[0][0]
                                                        + wy * prevAxes[0][1]
                                                        + wz * prevAxes[0][2])
                                                / pz;
                        double pv =
                                k.cy()
                                        + k.fy()
                                                * (wx * prevAxes[1][0]
                                                        + wy * prevAxes[1][1]
                                                        + wz * prevAxes[1][2])
                                                / pz;
                        double mu = (pu - u + tremorU) * shutter;
                        double mv = (pv - v + tremorV) * shutter;
                        double len = Math.sqrt(mu * mu + mv * mv);
                        if (len > 0.5) {
                            int taps = Math.min(16, 1 + (int) Math.ceil(len));
                            r = g = b = 0;
                            for (int s = 0; s < taps; s++) {
                                double q = (double) s / (taps - 1);
                                int su = clamp((int) Math.round(u + mu * q), width);
                                int sv = clamp((int) Math.round(v + mv * q), height);
                                int j = 3 * (sv * width + su);
                                r += radiance[j];
                                g += radiance[j + 1];
                                b += radiance[j + 2];
                            }
                            r /= taps;
                            g /= taps;
                            b /= taps;
                        }
                    }
                }
                double du = u - 0.5 * (width - 1);
                double dv = v - 0.5 * (height - 1);
                double vfac = 1 - vig * (du * du + dv * dv) / halfDiag2;
                r *= gainR * vfac;
                g *= gainG * vfac;
                b *= gainB * vfac;
                long hsh = Noise.mix(noiseKey + 0x9e3779b97f4a7c15L * (i + 1));
                r += Math.sqrt(readVar + shotVar * Math.max(r, 0)) * Noise.gauss16(hsh, 0);
                g += Math.sqrt(readVar + shotVar * Math.max(g, 0)) * Noise.gauss16(hsh, 16);
                b += Math.sqrt(readVar + shotVar * Math.max(b, 0)) * Noise.gauss16(hsh, 32);
                rgb[3 * i] = tone(r);
                rgb[3 * i + 1] = tone(g);
                rgb[3 * i + 2] = tone(b);
            }
        }
    }

    private static int clamp(int x, int n) {
        return x < 0 ? 0 : x >= n ? n - 1 : x;
    }

    private static byte tone(double v) {
        if (!(v > 0)) {
            return 0;
        }
        if (v >= TONE_MAX) {
            return TONE[TONE_STEPS];
        }
        return TONE[(int) (v * (TONE_STEPS / TONE_MAX) + 0.5)];
    }

    static double powInt(double x, int n) {
        // The materials' exponents, by squaring.
        double x2 = x * x;
        double x4 = x2 * x2;
        double x8 = x4 * x4;
        double x16 = x8 * x8;
        switch (n) {
            case 12:
                return x8 * x4;
            case 16:
                return x16;
            case 24:
                return x16 * x8;
            case 32:
                return x16 * x16;
            case 48:
                return x16 * x16 * x16;
            case 64:
                return (x16 * x16) * (x16 * x16);
            case 96:
                double x32 = x16 * x16;
                return x32 * x32 * x32;
            default:
                double r = 1;
                double b = x;
                while (n > 0) {
                    if ((n & 1) != 0) {
                        r *= b;
                    }
                    b *= b;
                    n >>= 1;
                }
                return r;
        }
    }
}
