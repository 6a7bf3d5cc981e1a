package io.scenestream.operators;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.RuntimeContext;

/** The device a model runs on in an operator, from configuration and the slot's resources. */
public final class Devices {

    private Devices() {}

    /**
     * {@code cpu}; {@code gpu:N}; or {@code gpu}: the GPU of the slot's "gpu" external resource
     * when Flink assigned one, else subtask index modulo the GPUs of this machine.
     */
    static Device of(String setting, RuntimeContext context) {
        if (setting.equals("gpu")) {
            Set<ExternalResourceInfo> gpus = context.getExternalResourceInfos("gpu");
            for (ExternalResourceInfo info : gpus) {
                if (info.getProperty("index").isPresent()) {
                    return Device.gpu(Integer.parseInt(info.getProperty("index").get()));
                }
            }
        }
        return of(setting, context.getTaskInfo().getIndexOfThisSubtask());
    }

    /**
     * {@code cpu}; {@code gpu:N}; or {@code gpu}: subtask index modulo the GPUs of this machine, as
     * for a slot without a GPU resource.
     */
    public static Device of(String setting, int subtask) {
        if (setting.equals("cpu")) {
            return Device.cpu();
        }
        if (setting.matches("gpu:\\d+")) {
            return Device.gpu(Integer.parseInt(setting.substring(4)));
        }
        if (!setting.equals("gpu")) {
            throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got " + setting);
        }
        int count = Engine.getInstance().getGpuCount();
        if (count == 0) {
            throw new IllegalStateException(
                    "device gpu requested but this task manager has no GPU");
        }
        return Device.gpu(subtask % count);
    }
}
