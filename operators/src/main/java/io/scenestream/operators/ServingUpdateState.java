package io.scenestream.operators;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;

/**
 * The model updates an operator serves (the whole model's, and one per camera or group that adapts
 * on its own), kept in union operator state. Every parallel instance serves the same update (model
 * updates are broadcast and aligned at the barrier), so subtask 0 writes the one copy and, on
 * restore, every instance reads the newest back. The inference operator and the teacher keep theirs
 * so.
 */
final class ServingUpdateState {

    private final String name;
    private ListState<byte[]> state;

    /**
     * @param name the state's name; part of the job's savepoints, so never renamed
     */
    ServingUpdateState(String name) {
        this.name = name;
    }

    /**
     * Registers the state, from {@code initializeState}.
     *
     * @return on restore the newest update of each scope the state holds, the whole model's first;
     *     else empty
     */
    List<byte[]> initialize(StateInitializationContext context) throws Exception {
        state =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        name,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        return context.isRestored() ? UpdateCandidate.newestPerScope(state.get()) : List.of();
    }

    /**
     * Writes this checkpoint's copy, from {@code snapshotState}: the given updates (serialised
     * {@code ModelUpdate}s; nulls skipped) on subtask 0, nothing on the others.
     */
    void snapshot(int subtask, List<byte[]> updates) throws Exception {
        state.clear();
        if (subtask == 0) {
            for (byte[] u : updates) {
                if (u != null) {
                    state.add(u);
                }
            }
        }
    }
}
