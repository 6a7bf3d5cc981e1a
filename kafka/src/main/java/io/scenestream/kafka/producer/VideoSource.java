package io.scenestream.kafka.producer;

import io.scenestream.frames.RgbFrame;
import io.scenestream.kafka.serde.FramePixels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Locale;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Frames of a video through FFmpeg (JavaCV): a file, an RTSP/HTTP URL, or a V4L2 device such as
 * {@code /dev/video0}; optionally resized and looped.
 */
public final class VideoSource implements FrameSupplier {

    private final String location;
    private final boolean loop;
    private final FFmpegFrameGrabber grabber;
    private final Java2DFrameConverter converter = new Java2DFrameConverter();

    /**
     * @param width output width, or 0 for the video's
     * @param height output height, or 0 for the video's
     */
    public VideoSource(String location, boolean loop, int width, int height) throws IOException {
        this.location = location;
        this.loop = loop;
        // FFmpeg reports only errors; the stream logs its own progress.
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        grabber = new FFmpegFrameGrabber(location);
        if (location.startsWith("/dev/video")) {
            grabber.setFormat("video4linux2");
        }
        if (location.startsWith("rtsp://")) {
            grabber.setOption("rtsp_transport", "tcp");
        }
        grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
        if (width > 0 && height > 0) {
            grabber.setImageWidth(width);
            grabber.setImageHeight(height);
        }
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            throw new IOException("cannot open video " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public RgbFrame next() throws IOException {
        try {
            Frame f = grabber.grabImage();
            if (f == null && loop) {
                grabber.setTimestamp(0);
                f = grabber.grabImage();
            }
            if (f == null) {
                return null;
            }
            BufferedImage img = converter.convert(f);
            return new RgbFrame(img.getWidth(), img.getHeight(), FramePixels.rgb(img));
        } catch (FrameGrabber.Exception e) {
            throw new IOException("reading " + location + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public double frameRate() {
        return grabber.getFrameRate();
    }

    @Override
    public String describe() {
        return "video "
                + location
                + " ("
                + grabber.getImageWidth()
                + "x"
                + grabber.getImageHeight()
                + ", "
                + String.format(Locale.ROOT, "%.1f", frameRate())
                + " fps"
                + (loop ? ", looped" : "")
                + ")";
    }

    @Override
    public void close() throws IOException {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception e) {
            throw new IOException(e);
        }
        converter.close();
    }
}
