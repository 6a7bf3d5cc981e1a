package io.scenestream.operators;

/**
 * A frame offered to the teacher, with what the serving student made of it: the frame at the
 * model's input size and the student's classes there. A Flink POJO.
 */
public class KeyFrame {
    public String cameraId;
    public long sequence;
    public long captureTimeUs;
    public int width;
    public int height;

    /** {@code height * width * 3} bytes, R G B. */
    public byte[] rgb;

    /** The student's class per pixel. */
    public byte[] studentClasses;

    public String studentName;
    public long studentVersion;

    public KeyFrame() {}
}
