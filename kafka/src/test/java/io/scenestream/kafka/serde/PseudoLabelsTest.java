package io.scenestream.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.proto.PseudoLabel;
import org.junit.jupiter.api.Test;

class PseudoLabelsTest {

    private static final int W = 6;
    private static final int H = 4;

    private static PseudoLabel.Builder meta() {
        return PseudoLabel.newBuilder().setCameraId("cam").setSequence(7);
    }

    @Test
    void confidentLabelsAndTheTeachersPredictionEverywhereRoundTrip() {
        int n = W * H;
        byte[] rgb = new byte[3 * n];
        int[] all = new int[n];
        int[] confident = new int[n];
        float[] depthAll = new float[n];
        float[] depthConsistent = new float[n];
        for (int i = 0; i < n; i++) {
            rgb[3 * i] = (byte) (i * 10);
            rgb[3 * i + 1] = (byte) (255 - i);
            rgb[3 * i + 2] = (byte) (i * 3);
            all[i] = i % 5;
            confident[i] = i % 2 == 0 ? all[i] : DenseSample.IGNORE;
            depthAll[i] = 0.5f + i * 0.125f;
            depthConsistent[i] = i % 3 == 0 ? 0 : depthAll[i];
        }
        DenseSample sample = new DenseSample("cam#7", H, W, rgb, confident, depthConsistent);
        DenseSample teacher = new DenseSample("cam#7", H, W, rgb, all, depthAll);

        PseudoLabel p =
                PseudoLabels.parse(
                        PseudoLabels.encode(meta(), sample, teacher).toByteArray(),
                        FrameLimits.DEFAULT);

        DenseSample learnt = PseudoLabels.decode(p);
        assertThat(learnt.rgb()).isEqualTo(rgb);
        assertThat(learnt.semseg()).isEqualTo(confident);
        assertThat(learnt.depth()).containsExactly(depthConsistent, within(0.0005f));

        DenseSample checked = PseudoLabels.decodeTeacher(p);
        assertThat(checked.rgb()).isEqualTo(rgb);
        assertThat(checked.semseg()).isEqualTo(all);
        assertThat(checked.depth()).containsExactly(depthAll, within(0.0005f));
    }

    @Test
    void aRecordWithoutTheTeachersPredictionIsCheckedOnItsConfidentLabels() {
        int n = W * H;
        int[] confident = new int[n];
        float[] depth = new float[n];
        for (int i = 0; i < n; i++) {
            confident[i] = i % 4 == 0 ? DenseSample.IGNORE : 3;
            depth[i] = i % 4 == 1 ? 0 : 2.5f;
        }
        DenseSample sample = new DenseSample("cam#7", H, W, new byte[3 * n], confident, depth);
        PseudoLabel p = PseudoLabels.encode(meta(), sample);

        assertThat(p.getTeacherSegmentationPng().isEmpty()).isTrue();
        DenseSample checked = PseudoLabels.decodeTeacher(p);
        assertThat(checked.semseg()).isEqualTo(confident);
        assertThat(checked.depth()).containsExactly(depth);
    }

    @Test
    void aTeachersPredictionOfAnotherSizeIsRefused() {
        int n = W * H;
        DenseSample sample = new DenseSample("cam#7", H, W, new byte[3 * n], new int[n], null);
        DenseSample other =
                new DenseSample(
                        "cam#7", H, W - 1, new byte[3 * H * (W - 1)], new int[H * (W - 1)], null);

        assertThatThrownBy(() -> PseudoLabels.encode(meta(), sample, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5x4")
                .hasMessageContaining("6x4");
    }
}
