package io.scenestream.kafka.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.frames.viz.ImageCompare;
import io.scenestream.kafka.producer.VideoSource;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.PredictionMaps;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real footage in through FFmpeg, mosaics out to MP4 and PNG, and the MP4 reads back. */
class VideoRoundTripTest {

    private static final Path VIDEO =
            Paths.get(
                    System.getProperty("scenestream.shared", "../shared"), "data/video/vtest.avi");

    @Test
    void readsTheCameraClipResizedAndRecordsMosaics(@TempDir Path dir) throws Exception {
        try (VideoSource source = new VideoSource(VIDEO.toString(), false, 320, 240);
                PredictionRecorder recorder =
                        new PredictionRecorder(dir, NyudDataset.CLASSES_13, 10, 5, null)) {
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

    /**
     * Every frame of the MP4 shows the mosaic that went in: decoded, each matches the PNG snapshot
     * written from the same mosaic at 30 dB PSNR or better (a pixel-format mix-up scrambles it to
     * about 10 dB). Odd and even frame sizes, synthetic and real footage.
     */
    @ParameterizedTest
    @CsvSource({"160, 120, false", "161, 121, false", "320, 240, true"})
    void theVideoShowsTheMosaicsThatWentIn(int w, int h, boolean realFootage, @TempDir Path dir)
            throws Exception {
        int frames = 8;
        try (VideoSource source =
                        realFootage ? new VideoSource(VIDEO.toString(), false, w, h) : null;
                PredictionRecorder recorder =
                        new PredictionRecorder(dir, NyudDataset.CLASSES_13, 10, 1, null)) {
            for (int i = 0; i < frames; i++) {
                RgbFrame f = realFootage ? source.next() : pattern(w, h, i);
                recorder.record(f, prediction("cam", i, w, h));
            }
        }
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(dir.resolve("cam.mp4").toFile());
                Java2DFrameConverter converter = new Java2DFrameConverter()) {
            g.start();
            for (int i = 0; i < frames; i++) {
                org.bytedeco.javacv.Frame frame = g.grabImage();
                assertThat(frame).as("video frame %d", i).isNotNull();
                BufferedImage decoded = converter.convert(frame);
                BufferedImage snapshot =
                        ImageIO.read(dir.resolve(String.format("cam-%06d.png", i)).toFile());
                assertThat(decoded.getWidth())
                        .isEqualTo(snapshot.getWidth() + (snapshot.getWidth() & 1));
                assertThat(decoded.getHeight())
                        .isEqualTo(snapshot.getHeight() + (snapshot.getHeight() & 1));
                assertThat(ImageCompare.psnr(decoded, snapshot))
                        .as("PSNR of video frame %d against its snapshot, dB", i)
                        .isGreaterThanOrEqualTo(30);
            }
            assertThat(g.grabImage()).as("frames beyond those recorded").isNull();
        }
    }

    /**
     * A frame of gradients and a moving square: structure that a scrambled picture would not keep.
     */
    static RgbFrame pattern(int w, int h, int i) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                boolean square = Math.abs(x - (10 + 9 * i)) < 12 && Math.abs(y - h / 2) < 12;
                rgb[o] = (byte) (square ? 250 : x * 255 / w);
                rgb[o + 1] = (byte) (square ? 30 : y * 255 / h);
                rgb[o + 2] = (byte) (square ? 30 : 128);
            }
        }
        return new RgbFrame(w, h, rgb);
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

    static Prediction prediction(String camera, long seq, int w, int h) {
        float[] depth = new float[w * h];
        byte[] classes = new byte[w * h];
        for (int i = 0; i < depth.length; i++) {
            depth[i] = 1 + (i % w) * 0.05f;
            classes[i] = (byte) ((i / w) * 13 / h);
        }
        return Prediction.newBuilder()
                .setCameraId(camera)
                .setSequence(seq)
                .setWidth(w)
                .setHeight(h)
                .setDepthPng(ByteString.copyFrom(PredictionMaps.depthPng(depth, w, h)))
                .setSegmentationPng(
                        ByteString.copyFrom(PredictionMaps.segmentationPng(classes, w, h)))
                .build();
    }
}
