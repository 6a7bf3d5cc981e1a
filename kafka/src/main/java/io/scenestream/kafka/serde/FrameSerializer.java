package io.scenestream.kafka.serde;

import io.scenestream.kafka.proto.Frame;
import org.apache.kafka.common.serialization.Serializer;

/** Writes a {@link Frame} as its Protocol Buffers bytes; null in, null out. */
public class FrameSerializer implements Serializer<Frame> {

    @Override
    public byte[] serialize(String topic, Frame frame) {
        return frame == null ? null : frame.toByteArray();
    }
}
