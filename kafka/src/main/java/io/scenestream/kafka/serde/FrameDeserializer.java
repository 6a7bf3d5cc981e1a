package io.scenestream.kafka.serde;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a {@link Frame} and enforces the {@link FrameLimits}: size, dimensions, a known encoding, a
 * camera id and a payload (of exactly width * height * 3 bytes for raw RGB). Null in, null out;
 * anything else wrong is a {@link BadRecordException} naming the reason. The pixels themselves are
 * checked when they are decoded ({@link FramePixels}).
 */
public class FrameDeserializer implements Deserializer<Frame> {

    private static final int MAX_CAMERA_ID = 256;

    private final FrameLimits limits;

    public FrameDeserializer() {
        this(FrameLimits.DEFAULT);
    }

    public FrameDeserializer(FrameLimits limits) {
        this.limits = limits;
    }

    @Override
    public Frame deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > limits.maxRecordBytes()) {
            throw new BadRecordException(
                    BadRecordException.Reason.OVERSIZED,
                    "frame record of "
                            + data.length
                            + " bytes exceeds the limit of "
                            + limits.maxRecordBytes());
        }
        Frame f;
        try {
            f = Frame.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new BadRecordException(
                    BadRecordException.Reason.UNPARSABLE,
                    "not a Frame record (" + data.length + " bytes): " + e.getMessage(),
                    e);
        }
        validate(f, limits);
        return f;
    }

    /**
     * The camera id of a frame record, read without parsing or copying the rest (the payload is
     * skipped): what a stream is partitioned by before its frames are decoded. A record whose id
     * cannot be read (not a frame, no id, an id longer than a camera id may be) gives the empty
     * string; such a record is refused when it is deserialized. As in parsing, the last {@code
     * camera_id} of the record is the one that counts.
     */
    public static String cameraIdOf(byte[] data) {
        String id = ProtoFields.lastString(data, Frame.CAMERA_ID_FIELD_NUMBER);
        return id != null && id.length() <= MAX_CAMERA_ID ? id : "";
    }

    /** Checks a parsed frame against {@code limits}. */
    public static void validate(Frame f, FrameLimits limits) {
        if (f.getCameraId().isEmpty()) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD, "frame has no camera_id");
        }
        if (f.getCameraId().length() > MAX_CAMERA_ID) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD,
                    "camera_id longer than " + MAX_CAMERA_ID + " characters");
        }
        if (f.getWidth() == 0
                || f.getHeight() == 0
                || f.getWidth() > limits.maxWidth()
                || f.getHeight() > limits.maxHeight()) {
            throw new BadRecordException(
                    BadRecordException.Reason.BAD_DIMENSIONS,
                    "frame "
                            + f.getCameraId()
                            + "#"
                            + f.getSequence()
                            + " is "
                            + f.getWidth()
                            + "x"
                            + f.getHeight()
                            + ", allowed 1.."
                            + limits.maxWidth()
                            + " x 1.."
                            + limits.maxHeight());
        }
        if (f.getEncoding() == Encoding.ENCODING_UNSPECIFIED
                || f.getEncoding() == Encoding.UNRECOGNIZED) {
            throw new BadRecordException(
                    BadRecordException.Reason.UNKNOWN_ENCODING,
                    "frame "
                            + f.getCameraId()
                            + "#"
                            + f.getSequence()
                            + " has encoding "
                            + f.getEncodingValue()
                            + ", known: JPEG, PNG, RAW_RGB8");
        }
        if (f.getPayload().isEmpty()) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD,
                    "frame " + f.getCameraId() + "#" + f.getSequence() + " has no payload");
        }
        if (f.getEncoding() == Encoding.RAW_RGB8
                && f.getPayload().size() != 3L * f.getWidth() * f.getHeight()) {
            throw new BadRecordException(
                    BadRecordException.Reason.BAD_DIMENSIONS,
                    "raw frame "
                            + f.getCameraId()
                            + "#"
                            + f.getSequence()
                            + " has "
                            + f.getPayload().size()
                            + " bytes, "
                            + f.getWidth()
                            + "x"
                            + f.getHeight()
                            + " RGB needs "
                            + 3L * f.getWidth() * f.getHeight());
        }
    }
}
