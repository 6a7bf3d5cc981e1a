package io.scenestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.model.selftrain.CurrentScene;
import io.scenestream.model.selftrain.SelfTrainer;
import io.scenestream.model.selftrain.TrainedParts;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class JobSettingsTest {

    private static Configuration base() {
        Configuration c = new Configuration();
        c.set(JobOptions.MODEL_CHECKPOINT, "model/checkpoints/student-lite.ckpt.zip");
        return c;
    }

    @Test
    void kafkaClientPropertiesPassThroughToEveryClient() throws Exception {
        Configuration c =
                SceneStreamJob.configuration(
                        new String[] {
                            "--model.checkpoint", "student.ckpt.zip",
                            "--kafka.properties.security.protocol", "SASL_SSL",
                            "--kafka.properties.sasl.mechanism", "SCRAM-SHA-512",
                            "--kafka.properties.ssl.truststore.location",
                                    "/etc/kafka/truststore.jks"
                        });
        JobSettings s = JobOptions.settings(c);
        Properties p = s.kafkaClientProperties();
        assertThat(p)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks")
                .hasSize(3);
        // The settings travel to the task managers with the job graph.
        JobSettings copy = org.apache.flink.util.InstantiationUtil.clone(s);
        assertThat(copy.kafkaClientProperties()).isEqualTo(p);
    }

    @Test
    void codecsOverlapTheModelOnAGpuByDefaultAndAsConfigured() {
        assertThat(JobOptions.settings(base()).inference().overlapCodecs()).as("cpu").isFalse();
        Configuration gpu = base();
        gpu.set(JobOptions.DEVICE, "gpu");
        assertThat(JobOptions.settings(gpu).inference().overlapCodecs()).isTrue();
        gpu.set(JobOptions.OVERLAP_CODECS, false);
        assertThat(JobOptions.settings(gpu).inference().overlapCodecs()).isFalse();
        Configuration cpu = base();
        cpu.setString("inference.overlap-codecs", "true");
        assertThat(JobOptions.settings(cpu).inference().overlapCodecs()).isTrue();
    }

    @Test
    void selfTrainingIsOffByDefaultAndOnWithItsSettings() {
        assertThat(JobOptions.settings(base()).selfTrainingEnabled()).isFalse();
        assertThat(JobOptions.settings(base()).inference().keyFrameEvery()).isZero();
        Configuration c = base();
        c.set(JobOptions.SELF_TRAINING, true);
        c.set(JobOptions.MIN_STRIDE, 4);
        JobSettings s = JobOptions.settings(c);
        assertThat(s.selfTrainingEnabled()).isTrue();
        assertThat(s.inference().keyFrameEvery()).isEqualTo(4);
        assertThat(s.teacher().stride().min()).isEqualTo(4);
        assertThat(s.teacher().threads())
                .as("teacher and trainer on one libtorch thread each")
                .isEqualTo(1);
        assertThat(s.selfTraining().threads()).isEqualTo(1);
        assertThat(s.inference().threads()).as("inference on libtorch's default").isZero();
        assertThat(s.selfTraining().acceptTolerance()).as("no tolerance by default").isZero();
        assertThat(s.selfTraining().trainer().normalisation())
                .isEqualTo(SelfTrainer.Normalisation.BATCH);
        Configuration frames = c.clone();
        frames.set(JobOptions.BATCH_NORM, " frames");
        assertThat(JobOptions.settings(frames).selfTraining().trainer().normalisation())
                .isEqualTo(SelfTrainer.Normalisation.FRAMES);
        assertThat(s.selfTraining().trainer().sceneTolerance())
                .isEqualTo(CurrentScene.DEFAULT_TOLERANCE);
        c.set(JobOptions.ACCEPT_TOLERANCE, 0.05);
        assertThat(JobOptions.settings(c).selfTraining().acceptTolerance()).isEqualTo(0.05);
        c.set(JobOptions.ACCEPT_TOLERANCE, -0.5);
        assertThatThrownBy(() -> JobOptions.settings(c))
                .hasMessageContaining("acceptance tolerance");
        c.removeConfig(JobOptions.ACCEPT_TOLERANCE);
        c.set(JobOptions.TEACHER_CHECKPOINT, "");
        assertThatThrownBy(() -> JobOptions.settings(c))
                .hasMessageContaining("self-training.teacher");
    }

    @Test
    void badOptionsNameTheOptionAndTheReason() {
        Configuration c = base();
        c.set(JobOptions.DELIVERY, "twice");
        assertThatThrownBy(() -> JobOptions.settings(c)).hasMessageContaining("job.delivery");
        Configuration d = base();
        d.set(JobOptions.SELF_TRAINING, true);
        d.set(JobOptions.MIN_STRIDE, 0);
        assertThatThrownBy(() -> JobOptions.settings(d)).hasMessageContaining("stride");
        Configuration e = base();
        e.set(JobOptions.SELF_TRAINING, true);
        e.set(JobOptions.CLASS_THRESHOLDS, "0.9,x");
        assertThatThrownBy(() -> JobOptions.settings(e)).hasMessageContaining("'x'");
        Configuration f = base();
        f.set(JobOptions.RESOLUTION, "250x320");
        assertThatThrownBy(() -> JobOptions.settings(f)).hasMessageContaining("multiples of 32");
        Configuration g = base();
        g.set(JobOptions.SELF_TRAINING, true);
        g.set(JobOptions.TRAINING_THREADS, -1);
        assertThatThrownBy(() -> JobOptions.settings(g)).hasMessageContaining("threads");
        Configuration h = base();
        h.set(JobOptions.STATE_BACKEND, "rocks");
        assertThatThrownBy(() -> JobOptions.settings(h))
                .hasMessageContaining("job.state-backend")
                .hasMessageContaining("'rocks'");
        Configuration i = base();
        i.set(JobOptions.SELF_TRAINING, true);
        i.set(JobOptions.BATCH_NORM, "frozen");
        assertThatThrownBy(() -> JobOptions.settings(i))
                .hasMessageContaining("self-training.batch-norm")
                .hasMessageContaining("'frozen'");
        Configuration j = base();
        j.set(JobOptions.SELF_TRAINING, true);
        j.set(JobOptions.SCENE_TOLERANCE, -1.0);
        assertThatThrownBy(() -> JobOptions.settings(j)).hasMessageContaining("scene tolerance");
        Configuration k = base();
        k.set(JobOptions.SELF_TRAINING, true);
        k.set(JobOptions.MIN_CHECK_FRAMES, 9);
        assertThatThrownBy(() -> JobOptions.settings(k))
                .hasMessageContaining("fewest check frames")
                .hasMessageContaining("[1, 8]")
                .hasMessageContaining("got 9");
        for (String crop : List.of("100x160", "160", "0x160")) {
            Configuration l = base();
            l.set(JobOptions.SELF_TRAINING, true);
            l.set(JobOptions.TRAIN_CROP, crop);
            assertThatThrownBy(() -> JobOptions.settings(l))
                    .as(crop)
                    .hasMessageContaining("self-training.crop");
        }
    }

    @Test
    void stepsTrainOnTheWholeFrameUnlessACropIsGiven() {
        Configuration c = base();
        c.set(JobOptions.SELF_TRAINING, true);
        SelfTrainer.Settings whole = JobOptions.settings(c).selfTraining().trainer();
        assertThat(whole.cropHeight()).isZero();
        assertThat(whole.cropWidth()).isZero();
        c.set(JobOptions.TRAIN_CROP, "128x160");
        SelfTrainer.Settings cropped = JobOptions.settings(c).selfTraining().trainer();
        assertThat(cropped.cropHeight()).as("rows first, as the model's resolution").isEqualTo(128);
        assertThat(cropped.cropWidth()).isEqualTo(160);
    }

    /**
     * Per camera, rounds train the BatchNorm layers on smaller buffers unless told otherwise, and
     * inference learns the scope too.
     */
    @Test
    void perCameraAdaptationKeepsItsStateSmallUnlessConfigured() {
        Configuration c = base();
        c.set(JobOptions.SELF_TRAINING, true);
        JobSettings fleet = JobOptions.settings(c);
        assertThat(fleet.selfTraining().scope().isFleet()).isTrue();
        assertThat(fleet.selfTraining().trainer().parts()).isEqualTo(TrainedParts.ALL);
        assertThat(fleet.selfTraining().trainer().bufferSize())
                .isEqualTo(SelfTrainer.Settings.DEFAULT_BUFFER_SIZE);
        c.set(JobOptions.ADAPTATION_SCOPE, "camera");
        JobSettings camera = JobOptions.settings(c);
        assertThat(camera.selfTraining().scope().keyOf("cam-1")).isEqualTo("cam-1");
        assertThat(camera.inference().scope().keyOf("cam-1")).isEqualTo("cam-1");
        assertThat(camera.selfTraining().trainer().parts()).isEqualTo(TrainedParts.BATCHNORM);
        assertThat(camera.selfTraining().trainer().bufferSize())
                .isEqualTo(JobOptions.PER_CAMERA_BUFFER_SIZE);
        assertThat(camera.selfTraining().trainer().heldOutSize())
                .isEqualTo(JobOptions.PER_CAMERA_HELD_OUT_SIZE);
        c.set(JobOptions.TRAINED_PARTS, "all");
        c.set(JobOptions.BUFFER_SIZE, 100);
        JobSettings all = JobOptions.settings(c);
        assertThat(all.selfTraining().trainer().parts()).isEqualTo(TrainedParts.ALL);
        assertThat(all.selfTraining().trainer().bufferSize()).isEqualTo(100);
        c.set(JobOptions.ADAPTATION_SCOPE, "group");
        assertThatThrownBy(() -> JobOptions.settings(c))
                .hasMessageContaining("self-training.scope")
                .hasMessageContaining("needs camera groups");
    }
}
