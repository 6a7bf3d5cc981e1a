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
 * PNG (0 = no label). Lossless, so the student learns from exactly what the teacher labelled.
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
        int w = sample.width();
        int h = sample.height();
        meta.setWidth(w)
                .setHeight(h)
                .setImagePng(ByteString.copyFrom(FramePixels.png(sample.rgb(), w, h)));
        if (sample.semseg() != null) {
            byte[] classes = new byte[w * h];
            for (int i = 0; i < classes.length; i++) {
                int c = sample.semseg()[i];
                if (c < 0 || c > DenseSample.IGNORE) {
                    throw new IllegalArgumentException(
                            sample.id() + ": class " + c + " does not fit a byte");
                }
                classes[i] = (byte) c;
            }
            meta.setSegmentationPng(
                    ByteString.copyFrom(PredictionMaps.segmentationPng(classes, w, h)));
        }
        if (sample.depth() != null) {
            meta.setDepthPng(ByteString.copyFrom(PredictionMaps.depthPng(sample.depth(), w, h)));
        }
        return meta.build();
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

    /** The pseudo-labelled frame of a record. */
    public static DenseSample decode(PseudoLabel p) {
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
        if (!p.getSegmentationPng().isEmpty()) {
            byte[] classes =
                    PredictionMaps.segmentation(p.getSegmentationPng().toByteArray(), w, h);
            semseg = new int[classes.length];
            for (int i = 0; i < classes.length; i++) {
                semseg[i] = classes[i] & 0xff;
            }
        }
        float[] depth =
                p.getDepthPng().isEmpty()
                        ? null
                        : PredictionMaps.depthMetres(p.getDepthPng().toByteArray(), w, h);
        return new DenseSample(id, h, w, rgb, semseg, depth);
    }
}
