package io.scenestream.kafka.serde;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scenestream.kafka.proto.Prediction;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a {@link Prediction}: null in, null out; unparsable bytes or missing fields are a {@link
 * BadRecordException}.
 */
public class PredictionDeserializer implements Deserializer<Prediction> {

    @Override
    public Prediction deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        Prediction p;
        try {
            p = Prediction.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new BadRecordException(
                    BadRecordException.Reason.UNPARSABLE,
                    "not a Prediction record (" + data.length + " bytes): " + e.getMessage(),
                    e);
        }
        if (p.getCameraId().isEmpty()) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD, "prediction has no camera_id");
        }
        if (p.getWidth() == 0 || p.getHeight() == 0) {
            throw new BadRecordException(
                    BadRecordException.Reason.BAD_DIMENSIONS,
                    "prediction "
                            + p.getCameraId()
                            + "#"
                            + p.getSequence()
                            + " is "
                            + p.getWidth()
                            + "x"
                            + p.getHeight());
        }
        return p;
    }
}
