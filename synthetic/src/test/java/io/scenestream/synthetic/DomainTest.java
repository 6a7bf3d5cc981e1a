package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.frames.DenseSample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The appearance domains: named, blendable, and visibly different on the same frames. */
class DomainTest {

    private static final int H = 96;
    private static final int W = 128;
    private static IndoorScene[] scenes;
    private static CameraPose[][] poses;

    @BeforeAll
    static void frames() {
        // A few rooms, two poses each (a pose and the one before it, for motion blur).
        scenes = new IndoorScene[4];
        poses = new CameraPose[4][];
        for (int i = 0; i < scenes.length; i++) {
            scenes[i] = SceneGenerator.generate(500 + i);
            CameraPath path = new CameraPath(scenes[i], i);
            CameraPose prev = null;
            CameraPose pose = null;
            for (int k = 0; k < 40; k++) {
                prev = pose;
                pose = path.next();
            }
            poses[i] = new CameraPose[] {prev, pose};
        }
    }

    private static DenseSample[] render(Domain d) {
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        DenseSample[] out = new DenseSample[scenes.length];
        for (int i = 0; i < scenes.length; i++) {
            out[i] = r.render("d" + i, scenes[i], poses[i][1], poses[i][0], d, 7);
        }
        return out;
    }

    /** {mean luma, standard deviation of luma, mean red / mean blue} over the frames. */
    private static double[] stats(DenseSample[] frames) {
        double sum = 0;
        double sum2 = 0;
        double red = 0;
        double blue = 0;
        long n = 0;
        for (DenseSample s : frames) {
            byte[] b = s.rgb();
            for (int i = 0; i < H * W; i++) {
                double r = b[3 * i] & 0xff;
                double g = b[3 * i + 1] & 0xff;
                double bl = b[3 * i + 2] & 0xff;
                double y = 0.299 * r + 0.587 * g + 0.114 * bl;
                sum += y;
                sum2 += y * y;
                red += r;
                blue += bl;
                n++;
            }
        }
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(sum2 / n - mean * mean), red / Math.max(1, blue)};
    }

    @Test
    void namedDomainsAndErrors() {
        assertThat(Domain.names())
                .startsWith("day")
                .contains("night", "warm-lamp", "haze", "overexposed", "blur");
        assertThat(Domain.named(" Night ").name()).isEqualTo("night");
        assertThatThrownBy(() -> Domain.named("fog"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown domain 'fog'; known domains: "
                                + String.join(", ", Domain.names()));
        assertThatThrownBy(() -> Domain.named("day").withExposure(-1)).hasMessageContaining(">= 0");
    }

    @Test
    void blendInterpolatesEveryParameter() {
        Domain day = Domain.named("day");
        Domain night = Domain.named("night");
        assertThat(Domain.blend(day, night, 0)).isSameAs(day);
        assertThat(Domain.blend(day, night, 1)).isSameAs(night);
        Domain mid = Domain.blend(day, night, 0.5);
        assertThat(mid.exposure()).isBetween(night.exposure(), day.exposure());
        assertThat(mid.lampKelvin()).isBetween(night.lampKelvin(), day.lampKelvin());
        assertThat(mid.readNoise()).isBetween(day.readNoise(), night.readNoise());
        assertThatThrownBy(() -> Domain.blend(day, night, 1.5)).hasMessageContaining("0..1");
    }

    @Test
    void domainsChangeAppearanceButNotLabelsOrDepth() {
        DenseSample[] day = render(Domain.named("day"));
        DenseSample[] night = render(Domain.named("night"));
        DenseSample[] warm = render(Domain.named("warm-lamp"));
        DenseSample[] haze = render(Domain.named("haze"));
        DenseSample[] over = render(Domain.named("overexposed"));
        double[] sDay = stats(day);
        double[] sNight = stats(night);
        double[] sWarm = stats(warm);
        double[] sHaze = stats(haze);
        double[] sOver = stats(over);
        assertThat(sDay[0]).as("day brightness").isBetween(60.0, 200.0);
        assertThat(sNight[0]).as("night is much darker than day").isLessThan(0.5 * sDay[0]);
        assertThat(sWarm[2]).as("warm lamps turn the image orange").isGreaterThan(1.5 * sDay[2]);
        assertThat(sHaze[1]).as("haze lowers contrast").isLessThan(0.7 * sDay[1]);
        assertThat(sOver[0]).as("overexposed is brighter").isGreaterThan(sDay[0] + 30);
        for (int i = 0; i < day.length; i++) {
            assertThat(night[i].semseg()).isEqualTo(day[i].semseg());
            assertThat(haze[i].depth()).isEqualTo(day[i].depth());
        }
    }

    @Test
    void nightIsNoisierAndBlurIsBlurrier() {
        // Noise: the difference between two noise keys of the same frame.
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        double dayNoise = noise(r, Domain.named("day"));
        double nightNoise = noise(r, Domain.named("night"));
        assertThat(nightNoise).isGreaterThan(2 * dayNoise);
        // Blur: less high-frequency energy (mean absolute horizontal gradient) than day.
        assertThat(gradient(render(Domain.named("blur"))))
                .isLessThan(gradient(render(Domain.named("day"))));
    }

    private static double noise(SyntheticRenderer r, Domain d) {
        DenseSample a = r.render("a", scenes[0], poses[0][1], null, d, 1);
        DenseSample b = r.render("b", scenes[0], poses[0][1], null, d, 2);
        double sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff));
        }
        return sum / a.rgb().length;
    }

    private static double gradient(DenseSample[] frames) {
        double sum = 0;
        long n = 0;
        for (DenseSample s : frames) {
            byte[] b = s.rgb();
            for (int v = 0; v < H; v++) {
                for (int u = 0; u + 1 < W; u++) {
                    int i = 3 * (v * W + u) + 1;
                    sum += Math.abs((b[i] & 0xff) - (b[i + 3] & 0xff));
                    n++;
                }
            }
        }
        return sum / n;
    }
}
