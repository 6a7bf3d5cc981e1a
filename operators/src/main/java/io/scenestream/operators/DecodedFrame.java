package io.scenestream.operators;

/** A frame ready for the model: its identity and timing, and RGB8 pixels. A Flink POJO. */
public class DecodedFrame {
    public String cameraId;
    public long sequence;

    /** Capture time, µs since the epoch. */
    public long captureTimeUs;

    /** When decoding started, µs since the epoch. */
    public long decodeStartUs;

    public float decodeMs;
    public int width;
    public int height;

    /** height * width * 3 bytes, interleaved R G B. */
    public byte[] rgb;

    public DecodedFrame() {}
}
