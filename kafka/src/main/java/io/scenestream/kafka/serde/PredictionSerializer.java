package io.scenestream.kafka.serde;

import io.scenestream.kafka.proto.Prediction;
import org.apache.kafka.common.serialization.Serializer;

/** Writes a {@link Prediction} as its Protocol Buffers bytes; null in, null out. */
public class PredictionSerializer implements Serializer<Prediction> {

    @Override
    public byte[] serialize(String topic, Prediction prediction) {
        return prediction == null ? null : prediction.toByteArray();
    }
}
