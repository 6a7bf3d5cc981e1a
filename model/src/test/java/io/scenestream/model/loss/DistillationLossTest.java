package io.scenestream.model.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistillationLossTest {

    /** KL(p || q) of two-class softmaxes at temperature t, times t², in doubles. */
    private static double kl(double[] teacher, double[] student, double t) {
        double[] p = softmax(teacher, t);
        double[] q = softmax(student, t);
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            sum += p[c] * (Math.log(p[c]) - Math.log(q[c]));
        }
        return sum * t * t;
    }

    private static double[] softmax(double[] logits, double t) {
        double z = 0;
        double[] e = new double[logits.length];
        for (int c = 0; c < logits.length; c++) {
            e[c] = Math.exp(logits[c] / t);
            z += e[c];
        }
        for (int c = 0; c < logits.length; c++) {
            e[c] /= z;
        }
        return e;
    }

    @Test
    void softKlIsZeroForTheTeachersOwnLogitsAndMatchesTheDefinitionOtherwise() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Two classes, two pixels (B=1, C=2, H=1, W=2): logits per pixel (teacher, student).
            NDArray teacher = m.create(new float[] {2, -1, 0, 1}, new Shape(1, 2, 1, 2));
            NDArray student = m.create(new float[] {0, 0, 1, 3}, new Shape(1, 2, 1, 2));
            assertThat(DistillationLoss.softKl(teacher, teacher, 2f).getFloat())
                    .isCloseTo(0f, within(1e-7f));
            double expected =
                    (kl(new double[] {2, 0}, new double[] {0, 1}, 2)
                                    + kl(new double[] {-1, 1}, new double[] {0, 3}, 2))
                            / 2;
            assertThat((double) DistillationLoss.softKl(student, teacher, 2f).getFloat())
                    .isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void depthIsTaughtOnlyWhereTheLabelHasNone() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray prediction = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 1, 4));
            NDArray teacher = m.create(new float[] {5, 5, 1, 2}, new Shape(1, 1, 1, 4));
            // Labelled at pixel 0 and 1; a hole (0) at pixel 2, NaN at pixel 3.
            NDArray labels = m.create(new float[] {1, 2, 0, Float.NaN}, new Shape(1, 1, 4));
            // |3 - 1| and |4 - 2| over the 2 unlabelled pixels; the labelled ones are left out.
            assertThat(
                            DistillationLoss.depthWhereUnlabelled(prediction, teacher, labels)
                                    .getFloat())
                    .isCloseTo(2f, within(1e-6f));
            NDArray full = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 4));
            assertThat(DistillationLoss.depthWhereUnlabelled(prediction, teacher, full).getFloat())
                    .isZero();
        }
    }

    @Test
    void termsAreWeightedAndNamedPerFinalTask() {
        MtiNetConfig config = MtiNetConfig.named("reference-tiny");
        DistillationLoss loss = new DistillationLoss(config, config, 0.5f, 1f);
        try (NDManager m = NDManager.newBaseManager()) {
            int classes = config.task(Task.SEMSEG).channels();
            NDArray t = m.zeros(new Shape(1, classes, 2, 2));
            // Student: class 0 one logit ahead everywhere; teacher uniform.
            NDArray s = t.duplicate();
            s.set(new ai.djl.ndarray.index.NDIndex(":, 0"), 1f);
            NDList teacher = new NDList(t, m.full(new Shape(1, 1, 2, 2), 3f));
            NDList student = new NDList(s, m.full(new Shape(1, 1, 2, 2), 2f));
            NDList labels =
                    new NDList(
                            m.zeros(new Shape(1, 2, 2), ai.djl.ndarray.types.DataType.INT32),
                            m.zeros(new Shape(1, 2, 2)));
            Map<String, NDArray> terms = loss.terms(labels, teacher, student);
            assertThat(terms.keySet()).containsExactly("distil_semseg", "distil_depth");
            double[] uniform = new double[classes];
            double[] ahead = new double[classes];
            ahead[0] = 1;
            assertThat((double) terms.get("distil_semseg").getFloat())
                    .isCloseTo(0.5 * kl(uniform, ahead, 1), within(1e-6));
            // No depth in the labels: every pixel is taught, |2 - 3| = 1, weighted 0.5.
            assertThat(terms.get("distil_depth").getFloat()).isCloseTo(0.5f, within(1e-6f));
        }
    }

    @Test
    void aTeacherOfOtherClassesIsRefusedByName() {
        MtiNetConfig student = MtiNetConfig.named("lite");
        MtiNetConfig teacher = MtiNetConfig.named("w18", MtiNetConfig.nyud13(40));
        assertThatThrownBy(() -> new DistillationLoss(student, teacher, 1f, 2f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same tasks");
        MtiNetConfig same = MtiNetConfig.named("w18");
        assertThat(same.tasks()).isEqualTo(student.tasks());
        assertThatThrownBy(() -> new DistillationLoss(student, same, 1f, 0.5f))
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> new DistillationLoss(student, same, 0f, 2f))
                .hasMessageContaining("weight");
        assertThatCode(() -> new DistillationLoss(student, same, 1f, 2f))
                .doesNotThrowAnyException();
    }
}
