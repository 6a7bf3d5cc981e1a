package io.scenestream.kafka.serde;

import java.io.Serializable;

/**
 * What a frame record may be: its serialized size and its dimensions. Anything larger is a bad
 * record, so that one oversized frame cannot exhaust a task manager's memory.
 *
 * @param maxRecordBytes largest serialized frame
 * @param maxWidth widest frame, pixels
 * @param maxHeight tallest frame, pixels
 */
public record FrameLimits(int maxRecordBytes, int maxWidth, int maxHeight, boolean sniffEncoding)
        implements Serializable {

    /** 32 MiB, up to 7680x4320 (8K), the declared encoding enforced. */
    public static final FrameLimits DEFAULT = new FrameLimits(32 << 20, 7680, 4320);

    /** Limits that enforce each frame's declared encoding. */
    public FrameLimits(int maxRecordBytes, int maxWidth, int maxHeight) {
        this(maxRecordBytes, maxWidth, maxHeight, false);
    }

    public FrameLimits {
        if (maxRecordBytes <= 0 || maxWidth <= 0 || maxHeight <= 0) {
            throw new IllegalArgumentException("frame limits must be positive");
        }
    }
}
