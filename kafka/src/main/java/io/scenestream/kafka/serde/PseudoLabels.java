package io.scenestream.kafka.serde;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.PseudoLabel;

/**
 * A pseudo-labelled frame as a {@link PseudoLabel} record and back: the frame as an RGB PNG, the
 * confident classes as an 8-bit PNG (255 = no label), the consistent depth as a 16-bit millimetre
 * PNG (0 = no label), and the teacher's class and depth at every pixel in the same two formats.
 * Lossless, so the student learns from exactly what the teacher labelled.
 */
public final class PseudoLabels {

    /** Largest pseudo-label record read. */
    public static final int MAX_BYTES = 64 << 20;

    private PseudoLabels() {}

    /**
     * The record of {@code sample}, with the metadata already set on {@code meta} (camera,
     * sequence, teacher, shares, ...); sets width, height and the three images.
     */
    public static PseudoLabel encode(PseudoLabel.Builder meta, DenseSample sample) {
        return encode(meta, sample, null);
    }

    /**
     * As {@link #encode(PseudoLabel.Builder, DenseSample)}, with the teacher's prediction at every
     * pixel ({@code teacher}: the same frame and size, its classes and depth everywhere; null for
     * none).
     */
    public static PseudoLabel encode(
            PseudoLabel.Builder meta, DenseSample sample, DenseSample teacher) {
        int w = sample.width();
        int h = sample.height();
        meta.setWidth(w)
                .setHeight(h)
                .setImagePng(ByteString.copyFrom(FramePixels.png(sample.rgb(), w, h)));
        if (sample.semseg() != null) {
            meta.setSegmentationPng(segmentationPng(sample));
        }
        if (sample.depth() != null) {
            meta.setDepthPng(ByteString.copyFrom(PredictionMaps.depthPng(sample.depth(), w, h)));
        }
        if (teacher != null) {
            if (teacher.width() != w || teacher.height() != h) {
                throw new IllegalArgumentException(
                        sample.id()
                                + ": the teacher's prediction is "
                                + teacher.width()
                                + "x"
                                + teacher.height()
                                + ", the labels' "
                                + w
                                + "x"
                                + h);
            }
            if (teacher.semseg() != null) {
                meta.setTeacherSegmentationPng(segmentationPng(teacher));
            }
            if (teacher.depth() != null) {
                meta.setTeacherDepthPng(
                        ByteString.copyFrom(PredictionMaps.depthPng(teacher.depth(), w, h)));
            }
        }
        return meta.build();
    }

    private static ByteString segmentationPng(DenseSample sample) {
        byte[] classes = new byte[sample.width() * sample.height()];
        for (int i = 0; i < classes.length; i++) {
            int c = sample.semseg()[i];
            if (c < 0 || c > DenseSample.IGNORE) {
                throw new IllegalArgumentException(
                        sample.id() + ": class " + c + " does not fit a byte");
            }
            classes[i] = (byte) c;
        }
        return ByteString.copyFrom(
                PredictionMaps.segmentationPng(classes, sample.width(), sample.height()));
    }

    /** Parses and checks a record's bytes. */
    public static PseudoLabel parse(byte[] data, FrameLimits limits) {
        if (data == null || data.length == 0) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD, "empty pseudo-label record");
        }
        if (data.length > MAX_BYTES) {
            throw new BadRecordException(
                    BadRecordException.Reason.OVERSIZED,
                    "pseudo-label record of " + data.length + " bytes exceeds " + MAX_BYTES);
        }
        PseudoLabel p;
        try {
            p = PseudoLabel.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new BadRecordException(
                    BadRecordException.Reason.UNPARSABLE,
                    "not a PseudoLabel record (" + data.length + " bytes): " + e.getMessage(),
                    e);
        }
        if (p.getWidth() == 0
                || p.getHeight() == 0
                || p.getWidth() > limits.maxWidth()
                || p.getHeight() > limits.maxHeight()) {
            throw new BadRecordException(
                    BadRecordException.Reason.BAD_DIMENSIONS,
                    "pseudo-label "
                            + p.getCameraId()
                            + "#"
                            + p.getSequence()
                            + " is "
                            + p.getWidth()
                            + "x"
                            + p.getHeight());
        }
        if (p.getImagePng().isEmpty()) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD,
                    "pseudo-label " + p.getCameraId() + "#" + p.getSequence() + " has no image");
        }
        return p;
    }

    /** The pseudo-labelled frame of a record: its confident labels. */
    public static DenseSample decode(PseudoLabel p) {
        return sample(p, p.getSegmentationPng(), p.getDepthPng());
    }

    /**
     * The frame labelled with the teacher's prediction at every pixel, sure or not, task by task;
     * the confident labels for a task the record has no such prediction of.
     */
    public static DenseSample decodeTeacher(PseudoLabel p) {
        return sample(
                p,
                p.getTeacherSegmentationPng().isEmpty()
                        ? p.getSegmentationPng()
                        : p.getTeacherSegmentationPng(),
                p.getTeacherDepthPng().isEmpty() ? p.getDepthPng() : p.getTeacherDepthPng());
    }

    private static DenseSample sample(PseudoLabel p, ByteString segPng, ByteString depthPng) {
        int w = p.getWidth();
        int h = p.getHeight();
        String id = p.getCameraId() + "#" + p.getSequence();
        byte[] rgb =
                FramePixels.decode(
                        Frame.newBuilder()
                                .setCameraId(p.getCameraId())
                                .setSequence(p.getSequence())
                                .setWidth(w)
                                .setHeight(h)
                                .setEncoding(Encoding.PNG)
                                .setPayload(p.getImagePng())
                                .build());
        int[] semseg = null;
        if (!segPng.isEmpty()) {
            byte[] classes = PredictionMaps.segmentation(segPng.toByteArray(), w, h);
            semseg = new int[classes.length];
            for (int i = 0; i < classes.length; i++) {
                semseg[i] = classes[i] & 0xff;
            }
        }
        float[] depth =
                depthPng.isEmpty()
                        ? null
                        : PredictionMaps.depthMetres(depthPng.toByteArray(), w, h);
        return new DenseSample(id, h, w, rgb, semseg, depth);
    }
}
