package io.scenestream.kafka.recorder;

import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.viz.DepthColormap;
import io.scenestream.frames.viz.Panels;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.PredictionMaps;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Writes what the cameras see and what the model makes of it: per camera an MP4 of mosaics (RGB |
 * segmentation overlay in the NYU palette | coloured depth with a metre scale) and a PNG snapshot
 * every N predictions. Not thread-safe; close it to finish the videos.
 */
public final class PredictionRecorder implements AutoCloseable {

    private final Path out;
    private final List<String> classNames;
    private final double fps;
    private final int snapshotEvery;
    private final DepthColormap depthColors;
    private final Map<String, FFmpegFrameRecorder> videos = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final Java2DFrameConverter converter = new Java2DFrameConverter();

    /**
     * @param out folder of the videos ({@code CAMERA.mp4}) and snapshots ({@code CAMERA-SEQ.png})
     * @param classNames the model's segmentation classes
     * @param fps frame rate of the videos
     * @param snapshotEvery a PNG every N predictions of a camera, 0 for none
     * @param depthColors the depth range of the colours, fixed so that colours mean the same
     *     everywhere
     */
    public PredictionRecorder(
            Path out,
            List<String> classNames,
            double fps,
            int snapshotEvery,
            DepthColormap depthColors)
            throws IOException {
        Files.createDirectories(out);
        this.out = out;
        // FFmpeg reports only errors; the stream logs its own progress.
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        this.classNames = List.copyOf(classNames);
        this.fps = fps;
        this.snapshotEvery = snapshotEvery;
        this.depthColors = depthColors;
    }

    /**
     * Adds a prediction, with the frame it was made from (or null if that frame is unknown: a grey
     * frame of the prediction's size stands in).
     */
    public void record(RgbFrame frame, Prediction p) throws IOException {
        int w = p.getWidth();
        int h = p.getHeight();
        float[] depth =
                p.getDepthPng().isEmpty()
                        ? null
                        : PredictionMaps.depthMetres(p.getDepthPng().toByteArray(), w, h);
        byte[] classes =
                p.getSegmentationPng().isEmpty()
                        ? null
                        : PredictionMaps.segmentation(p.getSegmentationPng().toByteArray(), w, h);
        RgbFrame shown = frame != null ? frame : grey(w, h);
        BufferedImage mosaic =
                Panels.mosaic(
                        shown,
                        new FramePrediction(w, h, depth, classes, null),
                        classNames,
                        depthColors);
        String camera = safe(p.getCameraId());
        BufferedImage picture = videoPicture(mosaic);
        FFmpegFrameRecorder video = videos.get(camera);
        if (video == null) {
            video = open(out.resolve(camera + ".mp4"), picture.getWidth(), picture.getHeight());
            videos.put(camera, video);
        }
        if (picture.getWidth() != video.getImageWidth()
                || picture.getHeight() != video.getImageHeight()) {
            throw new IOException(
                    "camera "
                            + p.getCameraId()
                            + " changed frame size to "
                            + mosaic.getWidth()
                            + "x"
                            + mosaic.getHeight()
                            + " in the middle of its video");
        }
        try {
            // A 3-byte BGR picture converts to a BGR24 frame, which the recorder takes as such.
            video.record(converter.convert(picture));
        } catch (FrameRecorder.Exception e) {
            throw new IOException(
                    "writing the video of " + p.getCameraId() + " failed: " + e.getMessage(), e);
        }
        long n = counts.merge(camera, 1L, Long::sum);
        if (snapshotEvery > 0 && (n - 1) % snapshotEvery == 0) {
            Panels.writePng(
                    mosaic,
                    out.resolve(
                            String.format(Locale.ROOT, "%s-%06d.png", camera, p.getSequence())));
        }
    }

    /**
     * The mosaic as 3 bytes a pixel in BGR order, which the converter turns into a BGR24 frame.
     * ({@link Panels#mosaic} makes it of even width and height, as 4:2:0 chroma needs.)
     */
    static BufferedImage videoPicture(BufferedImage mosaic) {
        BufferedImage bgr =
                new BufferedImage(
                        mosaic.getWidth(), mosaic.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = bgr.createGraphics();
        try {
            g.drawImage(mosaic, 0, 0, null);
        } finally {
            g.dispose();
        }
        return bgr;
    }

    private FFmpegFrameRecorder open(Path file, int width, int height) throws IOException {
        FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toFile(), width, height);
        r.setFormat("mp4");
        r.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
        r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        r.setFrameRate(fps);
        // A fixed quantiser rather than a bitrate: segmentation edges and the metre scale's text
        // stay sharp whatever the size (MPEG-4 at q 2 keeps 35-45 dB PSNR on these mosaics).
        r.setVideoQuality(2);
        r.setGopSize((int) Math.max(1, Math.round(fps)));
        try {
            r.start();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("cannot start video " + file + ": " + e.getMessage(), e);
        }
        return r;
    }

    private static RgbFrame grey(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        Arrays.fill(rgb, (byte) 96);
        return new RgbFrame(w, h, rgb);
    }

    private static String safe(String camera) {
        return camera.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Predictions recorded per camera. */
    public Map<String, Long> counts() {
        return Map.copyOf(counts);
    }

    /** The video file of a camera. */
    public Path video(String camera) {
        return out.resolve(safe(camera) + ".mp4");
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Map.Entry<String, FFmpegFrameRecorder> e : videos.entrySet()) {
            try {
                e.getValue().close();
            } catch (FrameRecorder.Exception ex) {
                failure =
                        new IOException(
                                "finishing the video of "
                                        + e.getKey()
                                        + " failed: "
                                        + ex.getMessage(),
                                ex);
            }
        }
        videos.clear();
        converter.close();
        if (failure != null) {
            throw failure;
        }
    }
}
