package io.scenestream.kafka.serde;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scenestream.kafka.proto.SelfTrainingRound;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads {@code SelfTrainingRound} records; a malformed one throws {@link BadRecordException} naming
 * what is wrong.
 */
public class SelfTrainingRoundDeserializer implements Deserializer<SelfTrainingRound> {

    /** Largest round record accepted: a few figures, never near this. */
    public static final int MAX_BYTES = 64 << 10;

    @Override
    public SelfTrainingRound deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > MAX_BYTES) {
            throw new BadRecordException(
                    BadRecordException.Reason.OVERSIZED,
                    "self-training round of " + data.length + " bytes exceeds " + MAX_BYTES);
        }
        SelfTrainingRound r;
        try {
            r = SelfTrainingRound.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new BadRecordException(
                    BadRecordException.Reason.UNPARSABLE,
                    "not a SelfTrainingRound record (" + data.length + " bytes): " + e.getMessage(),
                    e);
        }
        if (r.getModelName().isEmpty()) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD,
                    "self-training round has no model_name");
        }
        if (r.getRound() == 0 || r.getOutcome().isEmpty()) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD,
                    "self-training round of "
                            + r.getModelName()
                            + " has no round number or outcome");
        }
        return r;
    }
}
