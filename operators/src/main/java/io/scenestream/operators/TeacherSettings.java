package io.scenestream.operators;

import io.scenestream.model.inference.TorchThreads;
import io.scenestream.model.selftrain.AdaptiveStride;
import io.scenestream.model.selftrain.PseudoLabeler;
import java.io.Serializable;

/**
 * How the teacher labels key frames.
 *
 * @param checkpoint the teacher's {@code .ckpt.zip}, readable on every task manager
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}, as for inference
 * @param threshold minimum teacher probability of a segmentation pseudo-label
 * @param classThresholds per-class thresholds ("0.9,0.8,..."), empty for none
 * @param maxDepthRelDiff largest relative depth change under a horizontal flip
 * @param minStride fewest frames between two labelled frames of a camera
 * @param maxStride most frames between two labelled frames
 * @param lowAgreement student-teacher agreement below which the stride halves
 * @param highAgreement agreement above which it doubles
 * @param classShare class balance of the pseudo-labels (see {@link PseudoLabeler.Settings}); 0 for
 *     none
 * @param niceness nice value (0..19) of the thread the teacher runs on (see {@link
 *     ThreadNiceness}); 0 leaves its priority
 * @param threads libtorch threads of the teacher's thread (see {@link TorchThreads}); 0 for
 *     libtorch's default
 * @param updateKey key that teacher updates must be signed with (HMAC-SHA256); empty accepts
 *     unsigned ones
 */
public record TeacherSettings(
        String checkpoint,
        String device,
        float threshold,
        String classThresholds,
        float maxDepthRelDiff,
        int minStride,
        int maxStride,
        double lowAgreement,
        double highAgreement,
        float classShare,
        int niceness,
        int threads,
        String updateKey)
        implements Serializable {

    public TeacherSettings {
        if (checkpoint == null || checkpoint.isBlank()) {
            throw new IllegalArgumentException("self-training needs a teacher checkpoint");
        }
        if (device == null || !device.matches("cpu|gpu|gpu:\\d+")) {
            throw new IllegalArgumentException(
                    "teacher device must be cpu, gpu or gpu:N, got " + device);
        }
        classThresholds = classThresholds == null ? "" : classThresholds;
        updateKey = updateKey == null ? "" : updateKey;
        // Checked here, once, so a bad option fails at start-up with its reason.
        new PseudoLabeler.Settings(
                threshold,
                PseudoLabeler.Settings.parseClassThresholds(classThresholds),
                maxDepthRelDiff,
                classShare);
        new AdaptiveStride(minStride, maxStride, lowAgreement, highAgreement);
        if (niceness < 0 || niceness > 19) {
            throw new IllegalArgumentException(
                    "teacher nice value must be in 0..19, got " + niceness);
        }
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "teacher threads must be >= 0 (0: libtorch's default), got " + threads);
        }
    }

    public PseudoLabeler.Settings labeler() {
        return new PseudoLabeler.Settings(
                threshold,
                PseudoLabeler.Settings.parseClassThresholds(classThresholds),
                maxDepthRelDiff,
                classShare);
    }

    public AdaptiveStride stride() {
        return new AdaptiveStride(minStride, maxStride, lowAgreement, highAgreement);
    }
}
