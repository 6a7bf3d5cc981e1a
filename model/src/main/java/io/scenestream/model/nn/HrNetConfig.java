package io.scenestream.model.nn;

import java.util.Arrays;

/**
 * Layout of the HRNet backbone. The defaults are HRNet-W18-Small-v2 as the reference's {@code
 * hrnet_w18.yml}: a stem of two stride-2 3x3 convolutions with 64 channels, stage 1 of two
 * Bottlenecks (64 planes, 256 out), and stages 2-4 with 1/3/2 modules of 2 BasicBlocks per branch.
 *
 * @param stemChannels channels of the two stem convolutions (64 in the reference)
 * @param stage1Planes planes of the stage-1 Bottlenecks; stage 1 outputs 4x this (64 in the
 *     reference)
 * @param stage1Blocks Bottlenecks in stage 1 (2)
 * @param widths widths of the four branches, finest first (18/36/72/144 for W18)
 * @param modulesPerStage HighResolutionModules in stages 2, 3, 4 (1/3/2)
 * @param blocksPerBranch BasicBlocks per branch in every module (2)
 */
public record HrNetConfig(
        int stemChannels,
        int stage1Planes,
        int stage1Blocks,
        int[] widths,
        int[] modulesPerStage,
        int blocksPerBranch) {

    public HrNetConfig {
        if (widths == null || widths.length != 4) {
            throw new IllegalArgumentException(
                    "HRNet needs 4 branch widths, got " + Arrays.toString(widths));
        }
        if (modulesPerStage == null || modulesPerStage.length != 3) {
            throw new IllegalArgumentException(
                    "HRNet needs module counts for stages 2, 3 and 4, got "
                            + Arrays.toString(modulesPerStage));
        }
        for (int w : widths) {
            if (w <= 0) {
                throw new IllegalArgumentException(
                        "branch widths must be positive: " + Arrays.toString(widths));
            }
        }
        if (stemChannels <= 0 || stage1Planes <= 0 || stage1Blocks <= 0 || blocksPerBranch <= 0) {
            throw new IllegalArgumentException("HRNet sizes must be positive");
        }
        widths = widths.clone();
        modulesPerStage = modulesPerStage.clone();
    }

    /** HRNet-W18-Small-v2 with the given branch widths, as the reference builds it. */
    public static HrNetConfig smallV2(int... widths) {
        return new HrNetConfig(64, 64, 2, widths, new int[] {1, 3, 2}, 2);
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    @Override
    public int[] modulesPerStage() {
        return modulesPerStage.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HrNetConfig c
                && stemChannels == c.stemChannels
                && stage1Planes == c.stage1Planes
                && stage1Blocks == c.stage1Blocks
                && blocksPerBranch == c.blocksPerBranch
                && Arrays.equals(widths, c.widths)
                && Arrays.equals(modulesPerStage, c.modulesPerStage);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(widths) * 31 + Arrays.hashCode(modulesPerStage) + stemChannels;
    }

    @Override
    public String toString() {
        return "HrNetConfig[stem="
                + stemChannels
                + ", stage1="
                + stage1Blocks
                + "x"
                + stage1Planes
                + ", widths="
                + Arrays.toString(widths)
                + ", modules="
                + Arrays.toString(modulesPerStage)
                + ", blocks="
                + blocksPerBranch
                + "]";
    }
}
