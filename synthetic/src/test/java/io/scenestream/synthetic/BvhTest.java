package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The BVH finds exactly what testing every primitive finds. */
class BvhTest {

    private static List<Primitive> randomPrimitives(SplittableRandom rnd, int n) {
        List<Primitive> prims = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double x = rnd.nextDouble() * 6;
            double y = rnd.nextDouble() * 3;
            double z = rnd.nextDouble() * 6;
            double s = 0.02 + rnd.nextDouble() * 0.4;
            int kind = rnd.nextInt(4);
            prims.add(
                    switch (kind) {
                        case 0 ->
                                Primitive.box(
                                        x,
                                        y,
                                        z,
                                        s,
                                        s * 0.7,
                                        s * 1.3,
                                        0,
                                        5,
                                        Material.WOOD,
                                        Rgb.WHITE,
                                        i);
                        case 1 ->
                                Primitive.box(
                                        x,
                                        y,
                                        z,
                                        s,
                                        s * 0.5,
                                        s * 0.2,
                                        rnd.nextDouble() * 3,
                                        5,
                                        Material.WOOD,
                                        Rgb.WHITE,
                                        i);
                        case 2 ->
                                Primitive.cylinder(
                                        x, y, z, s, s * 3, 6, Material.CERAMIC, Rgb.WHITE, i);
                        default -> Primitive.sphere(x, y, z, s, 6, Material.CERAMIC, Rgb.WHITE, i);
                    });
        }
        return prims;
    }

    @Test
    void nearestAndAnyHitAgreeWithBruteForce() {
        SplittableRandom rnd = new SplittableRandom(5);
        List<Primitive> prims = randomPrimitives(rnd, 300);
        Bvh bvh = new Bvh(prims);
        List<Bvh> singles = new ArrayList<>();
        for (Primitive p : prims) {
            singles.add(new Bvh(List.of(p)));
        }
        int[] stack = new int[Bvh.STACK];
        int[] hit = new int[1];
        int hits = 0;
        for (int r = 0; r < 3000; r++) {
            double ox = rnd.nextDouble() * 6;
            double oy = rnd.nextDouble() * 3;
            double oz = rnd.nextDouble() * 6;
            double dx = rnd.nextDouble() * 2 - 1;
            double dy = rnd.nextDouble() * 2 - 1;
            double dz = rnd.nextDouble() * 2 - 1;
            if (r % 10 == 0) {
                dy = 0;
            }
            double tmax = 0.5 + rnd.nextDouble() * 5;
            double best = tmax;
            int bestPrim = -1;
            for (int i = 0; i < prims.size(); i++) {
                double t = singles.get(i).nearest(ox, oy, oz, dx, dy, dz, 1e-9, tmax, stack, hit);
                if (t < best) {
                    best = t;
                    bestPrim = i;
                }
            }
            double t = bvh.nearest(ox, oy, oz, dx, dy, dz, 1e-9, tmax, stack, hit);
            assertThat(t).as("ray %d", r).isEqualTo(best);
            if (bestPrim >= 0) {
                hits++;
                assertThat(bvh.original[hit[0]]).isEqualTo(bestPrim);
            } else {
                assertThat(hit[0]).isEqualTo(-1);
            }
            assertThat(bvh.any(ox, oy, oz, dx, dy, dz, 1e-9, tmax, stack)).isEqualTo(bestPrim >= 0);
        }
        assertThat(hits).isGreaterThan(300);
    }

    @Test
    void surfaceNormalsPointOutOfTheSolid() {
        SplittableRandom rnd = new SplittableRandom(9);
        List<Primitive> prims = randomPrimitives(rnd, 50);
        Bvh bvh = new Bvh(prims);
        int[] stack = new int[Bvh.STACK];
        int[] hit = new int[1];
        double[] out = new double[7];
        int checked = 0;
        for (int r = 0; r < 2000; r++) {
            double ox = -1;
            double oy = rnd.nextDouble() * 3;
            double oz = rnd.nextDouble() * 6;
            double dx = 1;
            double dy = rnd.nextDouble() * 0.4 - 0.2;
            double dz = rnd.nextDouble() * 0.4 - 0.2;
            double t = bvh.nearest(ox, oy, oz, dx, dy, dz, 1e-9, 100, stack, hit);
            if (hit[0] < 0) {
                continue;
            }
            bvh.surface(hit[0], ox + t * dx, oy + t * dy, oz + t * dz, out);
            double len = Math.sqrt(out[0] * out[0] + out[1] * out[1] + out[2] * out[2]);
            assertThat(len).isCloseTo(1, org.assertj.core.api.Assertions.within(1e-9));
            // Seen from outside, the surface faces the ray.
            assertThat(out[0] * dx + out[1] * dy + out[2] * dz).isLessThan(0);
            checked++;
        }
        assertThat(checked).isGreaterThan(100);
    }
}
