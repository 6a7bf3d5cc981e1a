package io.scenestream.synthetic;

import java.util.ArrayList;
import java.util.List;

/**
 * A scene's surface data laid out for the renderer: per primitive in BVH leaf order (class,
 * material, colour, texture seed, texture hints) and per wall its decals with their palettes.
 */
final class SceneShading {

    final int[] classId;
    final int[] material;
    final double[] color;
    final long[] seed;

    /**
     * Boxes: the longest local axis (wood grain runs along it) in bits 0-1, and 8 when the box is a
     * cabinet body whose front gets door or drawer grooves (the texture seed's lowest bit:
     * drawers).
     */
    final int[] hint;

    /** Decals per wall ordinal. */
    final Decal[][] decals = new Decal[4][];

    /** Windows on each wall (for sunlight). */
    final Decal[][] windows = new Decal[4][];

    /** Per light of the scene, in order: the shadow-ray candidates by direction. */
    final LightBuffer[] lightBuffers;

    /** A decal with what shading it needs precomputed. */
    static final class Decal {
        final boolean window;
        final double a0;
        final double a1;
        final double y0;
        final double y1;
        final long seed;
        final int style;
        final double frame;
        final double mat;
        final double[] frameColor;

        /** Six linear colours of the motif, 3 doubles each. */
        final double[] palette = new double[18];

        final double split1;
        final double split2;
        final double split3;
        final boolean mullion;
        final boolean transom;

        Decal(WallDecal d) {
            window = d.kind() == WallDecal.Kind.WINDOW;
            a0 = d.a0();
            a1 = d.a1();
            y0 = d.y0();
            y1 = d.y1();
            seed = d.seed();
            long h = Noise.mix(seed);
            style = (int) Long.remainderUnsigned(h, 4);
            frame = window ? 0.05 : 0.02 + 0.012 * ((h >>> 8) & 3);
            mat = !window && ((h >>> 12) & 3) == 0 ? 0.05 : 0;
            int[] frames = {0x1a1a1a, 0x5a3a22, 0xb08d3a, 0xf0f0ea};
            Rgb fc = Rgb.hex(frames[(int) ((h >>> 16) & 3)]);
            frameColor = new double[] {fc.r(), fc.g(), fc.b()};
            double baseHue = Noise.unit(Noise.mix(h + 1));
            for (int i = 0; i < 6; i++) {
                long hi = Noise.mix(h + 7 + i);
                double hue = baseHue + (style == 1 ? 0.08 * i : Noise.unit(hi));
                double sat = 0.25 + 0.6 * Noise.unit(Noise.mix(hi + 1));
                double val = 0.3 + 0.65 * Noise.unit(Noise.mix(hi + 2));
                Rgb c = SceneGenerator.hsv(hue, sat, val);
                palette[3 * i] = c.r();
                palette[3 * i + 1] = c.g();
                palette[3 * i + 2] = c.b();
            }
            split1 = 0.25 + 0.5 * Noise.unit(Noise.mix(h + 31));
            split2 = 0.25 + 0.5 * Noise.unit(Noise.mix(h + 32));
            split3 = 0.25 + 0.5 * Noise.unit(Noise.mix(h + 33));
            mullion = window && d.a1() - d.a0() > 1.1;
            transom = window && ((h >>> 20) & 1) == 1;
        }
    }

    SceneShading(IndoorScene scene, Bvh bvh) {
        List<Primitive> prims = scene.primitives();
        int n = bvh.size;
        classId = new int[n];
        material = new int[n];
        color = new double[3 * n];
        seed = new long[n];
        hint = new int[n];
        for (int i = 0; i < n; i++) {
            Primitive p = prims.get(bvh.original[i]);
            classId[i] = p.classId();
            material[i] = p.material().ordinal();
            color[3 * i] = p.color().r();
            color[3 * i + 1] = p.color().g();
            color[3 * i + 2] = p.color().b();
            seed[i] = p.textureSeed();
            if (p.shape() == Primitive.Shape.BOX) {
                int longest = p.sx() >= p.sy() && p.sx() >= p.sz() ? 0 : p.sy() >= p.sz() ? 1 : 2;
                boolean panel =
                        p.classId() == SyntheticClasses.FURNITURE
                                && p.sy() > 0.15
                                && p.sx() > 0.15
                                && p.sz() > 0.15
                                && (p.material() == Material.WOOD
                                        || p.material() == Material.PAINT);
                hint[i] = longest | (panel ? 8 : 0);
            } else {
                hint[i] = 1;
            }
        }
        lightBuffers = new LightBuffer[scene.lights().size()];
        for (int i = 0; i < lightBuffers.length; i++) {
            Light l = scene.lights().get(i);
            lightBuffers[i] = new LightBuffer(bvh, l.x(), l.y(), l.z());
        }
        for (Wall w : Wall.values()) {
            List<Decal> all = new ArrayList<>();
            List<Decal> win = new ArrayList<>();
            for (WallDecal d : scene.decals()) {
                if (d.wall() == w) {
                    Decal c = new Decal(d);
                    all.add(c);
                    if (c.window) {
                        win.add(c);
                    }
                }
            }
            decals[w.ordinal()] = all.toArray(new Decal[0]);
            windows[w.ordinal()] = win.toArray(new Decal[0]);
        }
    }
}
