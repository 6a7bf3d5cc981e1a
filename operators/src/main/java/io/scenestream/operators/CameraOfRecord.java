package io.scenestream.operators;

import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.serde.FrameDeserializer;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The camera of a frame record, read from the record without decoding it ({@link
 * FrameDeserializer#cameraIdOf}), so that records are partitioned by camera while still compressed
 * and decoded in the task that runs the model. A record without a readable camera id gets the empty
 * key; decoding then sends it to the dead letters.
 */
public class CameraOfRecord implements KeySelector<RawRecord, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(RawRecord r) {
        return FrameDeserializer.cameraIdOf(r.value);
    }
}
