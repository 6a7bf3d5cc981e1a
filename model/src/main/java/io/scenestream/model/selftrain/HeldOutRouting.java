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
 * frames when it is restored (the training frames' light is then not known: a change of light that
 * began among them is found once two held-out frames show it).
 */
public final class HeldOutRouting {

    private final SelfTrainer.Settings settings;

    /** A frame routed: its light ({@link CurrentScene#statistics}) and whether it was held out. */
    private record Routed(double[] light, boolean held) {}

    /** The newest frames routed whose light is known, oldest first, {@code held-out-size} kept. */
    private final Deque<Routed> recent = new ArrayDeque<>();

    /** Routing for a camera with no frame yet. */
    public HeldOutRouting(SelfTrainer.Settings settings) {
        this(settings, List.of());
    }

    /**
     * Routing for a camera whose held-out frames, oldest first, have these lights (restored from
     * its state, which keeps the held-out frames and the training frames apart).
     */
    public HeldOutRouting(SelfTrainer.Settings settings, List<double[]> heldOutLights) {
        this.settings = settings;
        heldOutLights.forEach(l -> remember(new Routed(l, true)));
    }

    /**
     * Whether the {@code n}-th pseudo-labelled frame (from 1) goes to the held-out set: every
     * {@code held-out-every}-th, or its light is that of a change of light among the newest frames
     * with fewer than {@code min-check-frames} of them held out. {@code light} is the frame's
     * {@link CurrentScene#statistics} at the student's input size, null if it is not known (the
     * frame could not be decoded): then only the first test applies.
     */
    public boolean heldOut(long n, double[] light) {
        boolean held =
                SelfTrainer.isHeldOut(n, settings) || (light != null && firstOfItsLight(light));
        if (light != null) {
            remember(new Routed(light, held));
        }
        return held;
    }

    /**
     * Whether the routing looks at a frame's light at all ({@code frames} normalisation and a scene
     * tolerance): if not, callers need not decode frames to measure it.
     */
    public boolean usesLight() {
        return usesLight(settings);
    }

    /** {@link #usesLight()} for a routing of these settings. */
    public static boolean usesLight(SelfTrainer.Settings settings) {
        return settings.normalisation() == SelfTrainer.Normalisation.FRAMES
                && settings.sceneTolerance() > 0;
    }

    /** How many of the newest frames' light is known. */
    public int size() {
        return recent.size();
    }

    /**
     * Whether a frame of this light, held out, would be among the first {@code min-check-frames}
     * held-out frames of a light other than that of the frames before (by either test of {@link
     * CurrentScene}, on the newest frames, held out or not: the test relative to the camera's own
     * variation needs two frames on either side), and candidates are normalised as their light's
     * frames.
     */
    boolean firstOfItsLight(double[] light) {
        if (!usesLight() || recent.isEmpty()) {
            return false;
        }
        List<Routed> all = new ArrayList<>(recent);
        all.add(new Routed(light, true));
        List<Routed> scene = CurrentScene.newest(all, settings.sceneTolerance(), Routed::light);
        return scene.size() < all.size()
                && scene.stream().filter(Routed::held).count() <= settings.minCheckFrames();
    }

    private void remember(Routed r) {
        recent.addLast(r);
        while (recent.size() > settings.heldOutSize()) {
            recent.removeFirst();
        }
    }
}
