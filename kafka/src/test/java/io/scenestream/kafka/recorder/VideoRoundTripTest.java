package io.scenestream.kafka.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.scenestream.kafka.producer.VideoSource;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.model.data.NyudDataset;
import io.scenestream.model.inference.RgbFrame;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real footage in through FFmpeg, mosaics out to MP4 and PNG, and the MP4 reads back. */
class VideoRoundTripTest {

    private static final Path VIDEO = Paths.get(System.getProperty("scenestream.shared", "../shared"), "data/video/vtest.avi");

    @Test
    void readsTheCameraClipResizedAndRecordsMosaics(@TempDir Path dir) throws Exception {
        try (VideoSource source = new VideoSource(VIDEO.toString(), false, 320, 240);
                PredictionRecorder recorder = new PredictionRecorder(dir, NyudDataset.CLASSES_13, 10, 5, null)) {
            assertThat(source.frameRate()).isEqualTo(10.0);
            assertThat(source.describe()).contains("vtest.avi");
            for (int i = 0; i < 12; i++) {
                RgbFrame f = source.next();
                assertThat(f.width()).isEqualTo(320);
                assertThat(f.height()).isEqualTo(240);
                recorder.record(f, prediction("street", i, 160, 120));
            }
            recorder.record(null, prediction("lobby", 0, 160, 120));
            assertThat(recorder.counts()).containsEntry("street", 12L).containsEntry("lobby", 1L);
        }
        assertThat(dir.resolve("street-000000.png")).exists();
        assertThat(dir.resolve("street-000005.png")).exists();
        assertThat(dir.resolve("street-000010.png")).exists();
        assertThat(dir.resolve("street-000001.png")).doesNotExist();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(dir.resolve("street.mp4").toFile())) {
            g.start();
            int frames = 0;
            while (g.grabImage() != null) {
                frames++;
            }
            assertThat(frames).isEqualTo(12);
            assertThat(g.getImageHeight()).isEqualTo(240);
            assertThat(g.getImageWidth()).isGreaterThan(3 * 320);
        }
    }

    @Test
    void theClipEndsUnlessLooped() throws Exception {
        int frames = 0;
        try (VideoSource source = new VideoSource(VIDEO.toString(), false, 96, 64)) {
            while (source.next() != null) {
                frames++;
            }
        }
        assertThat(frames).isGreaterThan(100);
        try (VideoSource looped = new VideoSource(VIDEO.toString(), true, 96, 64)) {
            for (int i = 0; i < frames + 5; i++) {
                assertThat(looped.next()).as("frame %d", i).isNotNull();
            }
        }
    }

    private static Prediction prediction(String camera, long seq, int w, int h) {
        float[] depth = new float[w * h];
        byte[] classes = new byte[w * h];
        for (int i = 0; i < depth.length; i++) {
            depth[i] = 1 + (i % w) * 0.05f;
            classes[i] = (byte) ((i / w) * 13 / h);
        }
        return Prediction.newBuilder().setCameraId(camera).setSequence(seq).setWidth(w).setHeight(h)
                .setDepthPng(ByteString.copyFrom(PredictionMaps.depthPng(depth, w, h)))
                .setSegmentationPng(ByteString.copyFrom(PredictionMaps.segmentationPng(classes, w, h))).build();
    }
}
