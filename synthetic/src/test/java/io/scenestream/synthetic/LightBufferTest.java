package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The light buffer never misses an occluder the BVH finds. */
class LightBufferTest {

    @Test
    void shadowTestsAgreeWithTheBvh() {
        SplittableRandom rnd = new SplittableRandom(3);
        int[] stack = new int[Bvh.STACK];
        int blocked = 0;
        int rays = 0;
        for (long seed = 0; seed < 6; seed++) {
            IndoorScene scene = SceneGenerator.generate(seed);
            Bvh bvh = scene.bvh;
            for (int li = 0; li < scene.lights().size(); li++) {
                Light l = scene.lights().get(li);
                LightBuffer lb = scene.shading().lightBuffers[li];
                for (int r = 0; r < 3000; r++) {
                    double px = rnd.nextDouble() * scene.width();
                    double py = rnd.nextDouble() * scene.height();
                    double pz = rnd.nextDouble() * scene.depth();
                    double dx = l.x() - px;
                    double dy = l.y() - py;
                    double dz = l.z() - pz;
                    int cell = LightBuffer.cell(-dx, -dy, -dz);
                    boolean viaBuffer =
                            bvh.anyOf(
                                    lb.prims,
                                    lb.offsets[cell],
                                    lb.offsets[cell + 1],
                                    px,
                                    py,
                                    pz,
                                    dx,
                                    dy,
                                    dz,
                                    1e-7,
                                    1);
                    boolean viaBvh = bvh.any(px, py, pz, dx, dy, dz, 1e-7, 1, stack);
                    assertThat(viaBuffer)
                            .as("scene %d light %d ray %d", seed, li, r)
                            .isEqualTo(viaBvh);
                    blocked += viaBvh ? 1 : 0;
                    rays++;
                }
            }
        }
        assertThat(blocked).isGreaterThan(rays / 50);
    }

    @Test
    void cellsCoverEveryDirection() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (int i = 0; i < 10000; i++) {
            double x = rnd.nextDouble() * 2 - 1;
            double y = rnd.nextDouble() * 2 - 1;
            double z = rnd.nextDouble() * 2 - 1;
            assertThat(LightBuffer.cell(x, y, z))
                    .isBetween(0, 6 * LightBuffer.N * LightBuffer.N - 1);
        }
        assertThat(LightBuffer.cell(1, 1, 1)).isEqualTo(LightBuffer.cell(2, 2, 2));
    }
}
