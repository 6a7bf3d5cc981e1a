package io.scenestream.model.selftrain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Which of a camera's pseudo-labelled frames go to the held-out set that candidates are checked on,
 * and which to the training buffer: every {@code held-out-every}-th frame, and after a change of
 * light every frame until the held-out set has {@code min-check-frames} of the new light.
 *
 * <p>A candidate is judged only on held-out frames of the current light ({@link CurrentScene}), at
 * least {@code min-check-frames} of them. Held out every third frame alone, those take three times
 * as many labels after a change of light: within the default budget the teacher labels about six
 * frames a minute, so two minutes pass before anything trained for the new light can be judged. The
 * first candidate of a new light, its BatchNorm statistics ({@link
 * SelfTrainer.Normalisation#FRAMES}), needs no training frame, only frames of that light to be
 * judged on: routed here, the teacher's first labels of the new light are those. With {@link
 * SelfTrainer.Normalisation#BATCH} every candidate is trained on two batches of the new light, and
 * held out every third frame the check frames come with them: there only the first test applies.
 *
 * <p>Kept by the operator that splits the frames, on its own thread; rebuilt from the held-out
 * frames when it is restored.
 */
public final class HeldOutRouting {

    private final SelfTrainer.Settings settings;

    /** The light ({@link CurrentScene#statistics}) of each held-out frame, oldest first. */
    private final Deque<double[]> lights = new ArrayDeque<>();

    /** Routing for a camera with no held-out frame yet. */
    public HeldOutRouting(SelfTrainer.Settings settings) {
        this(settings, List.of());
    }

    /**
     * Routing for a camera whose held-out frames, oldest first, have these lights (restored from
     * its state).
     */
    public HeldOutRouting(SelfTrainer.Settings settings, List<double[]> heldOutLights) {
        this.settings = settings;
        heldOutLights.forEach(this::remember);
    }

    /**
     * Whether the {@code n}-th pseudo-labelled frame (from 1) goes to the held-out set: every
     * {@code held-out-every}-th, or its light is that of a change of light among the held-out
     * frames with fewer than {@code min-check-frames} of them. {@code light} is the frame's {@link
     * CurrentScene#statistics} at the student's input size, null if it is not known (the frame
     * could not be decoded): then only the first test applies.
     */
    public boolean heldOut(long n, double[] light) {
        boolean held =
                SelfTrainer.isHeldOut(n, settings) || (light != null && firstOfItsLight(light));
        if (held && light != null) {
            remember(light);
        }
        return held;
    }

    /** How many held-out frames' light is known. */
    public int size() {
        return lights.size();
    }

    /**
     * Whether a frame of this light, held out, would be among the first {@code min-check-frames}
     * held-out frames of a light other than that of the held-out frames before, and candidates are
     * normalised as their light's frames.
     */
    boolean firstOfItsLight(double[] light) {
        if (settings.normalisation() != SelfTrainer.Normalisation.FRAMES
                || settings.sceneTolerance() <= 0
                || lights.isEmpty()) {
            return false;
        }
        List<double[]> all = new ArrayList<>(lights);
        all.add(light);
        List<double[]> scene = CurrentScene.newest(all, settings.sceneTolerance(), l -> l);
        return scene.size() < all.size() && scene.size() <= settings.minCheckFrames();
    }

    private void remember(double[] light) {
        lights.addLast(light);
        while (lights.size() > settings.heldOutSize()) {
            lights.removeFirst();
        }
    }
}
