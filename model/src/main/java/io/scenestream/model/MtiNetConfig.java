package io.scenestream.model;

import io.scenestream.model.nn.HrNetConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything that fixes the architecture of an MTI-Net: the backbone layout and the tasks. The
 * {@code tasks} get final (aggregated, full-resolution) outputs; the {@code auxiliaryTasks} are
 * predicted at every scale, feed the feature propagation and distillation, and get deep
 * supervision. Every task is an auxiliary task; an auxiliary task need not be a final one.
 *
 * @param name the configuration's name ({@code reference-tiny}, {@code w18}, {@code lite}, ...)
 * @param backbone HRNet layout
 * @param tasks tasks with final outputs, in output order
 * @param auxiliaryTasks tasks predicted at every scale, in order; contains every task
 */
public record MtiNetConfig(
        String name, HrNetConfig backbone, List<Task> tasks, List<Task> auxiliaryTasks) {

    /** Names of the built-in architectures. */
    public static final List<String> NAMES = List.of("reference-tiny", "w18", "lite");

    public MtiNetConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("must set a configuration name");
        }
        if (backbone == null) {
            throw new IllegalArgumentException("must set a backbone");
        }
        if (tasks == null || tasks.isEmpty()) {
            throw new IllegalArgumentException("must set at least one task");
        }
        tasks = List.copyOf(tasks);
        auxiliaryTasks = auxiliaryTasks == null ? tasks : List.copyOf(auxiliaryTasks);
        Set<String> names = new HashSet<>();
        for (Task a : auxiliaryTasks) {
            if (!names.add(a.name())) {
                throw new IllegalArgumentException("task " + a.name() + " is listed twice");
            }
        }
        for (Task t : tasks) {
            if (!auxiliaryTasks.contains(t)) {
                throw new IllegalArgumentException(
                        "task "
                                + t.name()
                                + " must also be an auxiliary task (it is predicted at every scale)");
            }
        }
        int[] w = backbone.widths();
        for (int s = 1; s < 4; s++) {
            if (w[s] < 16) {
                throw new IllegalArgumentException(
                        "branch width "
                                + w[s]
                                + " at scale "
                                + s
                                + " is too narrow for the squeeze-excitation (ratio 16): at least 16");
            }
        }
    }

    /** The built-in configuration {@code name} with the given tasks. */
    public static MtiNetConfig named(String name, List<Task> tasks) {
        return switch (name) {
            case "reference-tiny" ->
                    new MtiNetConfig(name, HrNetConfig.smallV2(8, 16, 24, 32), tasks, tasks);
            case "w18" ->
                    new MtiNetConfig(name, HrNetConfig.smallV2(18, 36, 72, 144), tasks, tasks);
            case "lite" -> new MtiNetConfig(name, LITE_BACKBONE, tasks, tasks);
            default ->
                    throw new IllegalArgumentException(
                            "unknown model configuration '" + name + "'; known: " + NAMES);
        };
    }

    /** The built-in configuration with NYUD's tasks: 13-class segmentation and depth. */
    public static MtiNetConfig named(String name) {
        return named(name, nyud13());
    }

    /** Segmentation into the 13 NYU classes, and depth. */
    public static List<Task> nyud13() {
        return nyud13(13);
    }

    /** Segmentation into {@code classes} classes, and depth. */
    public static List<Task> nyud13(int classes) {
        List<Task> t = new ArrayList<>();
        t.add(Task.semseg(classes));
        t.add(Task.depth());
        return t;
    }

    /**
     * The CPU streaming student: HRNet-W18-Small-v2's topology with a 32-channel stem, one 32-plane
     * Bottleneck and branches of 16/32/64/128, one module in stage 3 and 4.
     */
    static final HrNetConfig LITE_BACKBONE =
            new HrNetConfig(32, 32, 1, new int[] {16, 32, 64, 128}, new int[] {1, 1, 1}, 2);

    /** The task called {@code name}. */
    public Task task(String taskName) {
        for (Task t : auxiliaryTasks) {
            if (t.name().equals(taskName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("model " + name + " has no task " + taskName);
    }
}
