package io.scenestream.kafka.serde;

import io.scenestream.kafka.proto.ModelUpdate;
import org.apache.kafka.common.serialization.Serializer;

/** Writes a {@link ModelUpdate} as its Protocol Buffers bytes; null in, null out (a tombstone). */
public class ModelUpdateSerializer implements Serializer<ModelUpdate> {

    @Override
    public byte[] serialize(String topic, ModelUpdate update) {
        return update == null ? null : update.toByteArray();
    }
}
