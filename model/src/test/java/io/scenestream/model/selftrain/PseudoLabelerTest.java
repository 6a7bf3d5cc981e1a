package io.scenestream.model.selftrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import org.junit.jupiter.api.Test;

class PseudoLabelerTest {

    private static final int W = 4;
    private static final int H = 2;

    private static FramePrediction prediction(byte[] classes, float[] confidence, float[] depth) {
        return new FramePrediction(W, H, depth, classes, confidence);
    }

    @Test
    void segmentationPixelsFollowTheGlobalAndPerClassThresholds() {
        byte[] classes = {0, 0, 1, 1, 2, 2, 3, 3};
        float[] conf = {0.95f, 0.85f, 0.95f, 0.7f, 0.9f, 0.89f, 0.99f, 0.5f};
        FramePrediction t = prediction(classes, conf, null);

        PseudoLabeler global = new PseudoLabeler(PseudoLabeler.Settings.defaults());
        PseudoLabeler.Result r = global.label("f", new byte[3 * W * H], t, null);
        int ig = DenseSample.IGNORE;
        assertThat(r.sample().semseg()).containsExactly(0, ig, 1, ig, 2, ig, 3, ig);
        assertThat(r.confidentShare()).isEqualTo(0.5);
        assertThat(r.sample().depth()).isNull();
        // What candidates are checked against: the teacher's class at every pixel, sure or not.
        assertThat(r.teacher().semseg()).containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
        assertThat(r.teacher().depth()).isNull();

        // Class 1 needs only 0.6, class 3 needs 0.995.
        float[] perClass = PseudoLabeler.Settings.parseClassThresholds("0.9, 0.6, 0.9, 0.995");
        PseudoLabeler byClass =
                new PseudoLabeler(new PseudoLabeler.Settings(0.9f, perClass, 0.05f));
        assertThat(byClass.label("f", new byte[3 * W * H], t, null).sample().semseg())
                .containsExactly(0, ig, 1, 1, 2, ig, ig, ig);
    }

    @Test
    void classBalanceLabelsTheMostConfidentShareOfEveryClass() {
        // Class 0 is sure everywhere; class 1 never reaches 0.9, its best pixels are at 0.6 and
        // 0.5.
        byte[] classes = {0, 0, 0, 0, 1, 1, 1, 1};
        float[] conf = {0.95f, 0.96f, 0.97f, 0.98f, 0.6f, 0.3f, 0.5f, 0.2f};
        int ig = DenseSample.IGNORE;
        PseudoLabeler plain = new PseudoLabeler(PseudoLabeler.Settings.defaults());
        assertThat(
                        plain.label("f", new byte[3 * W * H], prediction(classes, conf, null), null)
                                .sample()
                                .semseg())
                .containsExactly(0, 0, 0, 0, ig, ig, ig, ig);
        // A share of 0.5: class 1's two most confident pixels are labelled too; class 0 keeps all
        // (above 0.9).
        PseudoLabeler balanced =
                new PseudoLabeler(new PseudoLabeler.Settings(0.9f, null, 0.05f, 0.5f));
        assertThat(
                        balanced.label(
                                        "f",
                                        new byte[3 * W * H],
                                        prediction(classes, conf, null),
                                        null)
                                .sample()
                                .semseg())
                .containsExactly(0, 0, 0, 0, 1, ig, 1, ig);
        assertThatThrownBy(() -> new PseudoLabeler.Settings(0.9f, null, 0.05f, 1.5f))
                .hasMessageContaining("class share");
    }

    @Test
    void depthPixelsAreKeptOnlyWhereTheMirroredPredictionAgrees() {
        float[] depth = {1, 2, 3, 4, 2, 2, 2, 2};
        // The teacher on the mirrored frame: row 0 mirrored exactly; row 1 off by 4% and by 10%.
        float[] flipped = {4, 3, 2, 1, 2.08f, 2.2f, 2, 2};
        byte[] classes = new byte[W * H];
        float[] conf = new float[W * H];
        PseudoLabeler l = new PseudoLabeler(PseudoLabeler.Settings.defaults());
        PseudoLabeler.Result r =
                l.label(
                        "f",
                        new byte[3 * W * H],
                        prediction(classes, conf, depth),
                        prediction(classes, conf, flipped));
        // Row 1: pixel x pairs with flipped[3 - x]: x=0 -> 2 vs 2, x=1 -> 2 vs 2, x=2 -> 2 vs 2.2
        // (10%), x=3 -> 2 vs 2.08 (4%).
        assertThat(r.sample().depth()).containsExactly(1, 2, 3, 4, 2, 2, 0, 2.04f);
        assertThat(r.teacher().depth()).containsExactly(depth);
        assertThat(r.consistentShare()).isEqualTo(7 / 8.0);
        // No pixel is confident at probability 0: all ignored.
        assertThat(r.sample().semseg()).containsOnly(DenseSample.IGNORE);
    }

    @Test
    void agreementCountsOnlyPseudoLabelledPixels() {
        int ig = DenseSample.IGNORE;
        assertThat(PseudoLabeler.agreement(new byte[] {1, 2, 3, 4}, new int[] {1, 2, 0, ig}))
                .isEqualTo(2 / 3.0);
        assertThat(PseudoLabeler.agreement(new byte[] {1, 2}, new int[] {ig, ig})).isEqualTo(1.0);
    }

    @Test
    void badSettingsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> new PseudoLabeler.Settings(1.2f, null, 0.05f))
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> PseudoLabeler.Settings.parseClassThresholds("0.9,high"))
                .hasMessageContaining("'high'");
        assertThatThrownBy(() -> new PseudoLabeler.Settings(0.9f, new float[] {2f}, 0.05f))
                .hasMessageContaining("per-class");
    }

    @Test
    void adaptiveStrideLabelsMoreOftenOnDisagreement() {
        AdaptiveStride s = AdaptiveStride.defaults();
        assertThat(s.initial()).isEqualTo(8);
        assertThat(s.next(8, 0.99)).isEqualTo(16);
        assertThat(s.next(64, 0.99)).isEqualTo(64);
        assertThat(s.next(32, 0.5)).isEqualTo(16);
        assertThat(s.next(8, 0.5)).isEqualTo(8);
        assertThat(s.next(16, 0.9)).isEqualTo(16);
    }
}
