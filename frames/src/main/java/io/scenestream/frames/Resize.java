package io.scenestream.frames;

/** Image resizing on plain arrays, with half-pixel centres (OpenCV's and PyTorch's convention). */
public final class Resize {

    private Resize() {}

    public static byte[] bilinearRgb(byte[] src, int sh, int sw, int dh, int dw) {
        byte[] out = new byte[dh * dw * 3];
        float sy = (float) sh / dh;
        float sx = (float) sw / dw;
        for (int y = 0; y < dh; y++) {
            float fy = Math.max((y + 0.5f) * sy - 0.5f, 0f);
            int y0 = Math.min((int) fy, sh - 1);
            int y1 = Math.min(y0 + 1, sh - 1);
            float wy = fy - y0;
            for (int x = 0; x < dw; x++) {
                float fx = Math.max((x + 0.5f) * sx - 0.5f, 0f);
                int x0 = Math.min((int) fx, sw - 1);
                int x1 = Math.min(x0 + 1, sw - 1);
                float wx = fx - x0;
                for (int c = 0; c < 3; c++) {
                    float v00 = src[(y0 * sw + x0) * 3 + c] & 0xff;
                    float v01 = src[(y0 * sw + x1) * 3 + c] & 0xff;
                    float v10 = src[(y1 * sw + x0) * 3 + c] & 0xff;
                    float v11 = src[(y1 * sw + x1) * 3 + c] & 0xff;
                    float top = v00 + (v01 - v00) * wx;
                    float bottom = v10 + (v11 - v10) * wx;
                    out[(y * dw + x) * 3 + c] = (byte) Math.round(top + (bottom - top) * wy);
                }
            }
        }
        return out;
    }

    public static int[] nearest(int[] src, int sh, int sw, int dh, int dw) {
        int[] out = new int[dh * dw];
        for (int y = 0; y < dh; y++) {
            int row = nearestIndex(y, sh, dh) * sw;
            for (int x = 0; x < dw; x++) {
                out[y * dw + x] = src[row + nearestIndex(x, sw, dw)];
            }
        }
        return out;
    }

    public static float[] nearest(float[] src, int sh, int sw, int dh, int dw) {
        float[] out = new float[dh * dw];
        for (int y = 0; y < dh; y++) {
            int row = nearestIndex(y, sh, dh) * sw;
            for (int x = 0; x < dw; x++) {
                out[y * dw + x] = src[row + nearestIndex(x, sw, dw)];
            }
        }
        return out;
    }

    private static int nearestIndex(int dst, int srcSize, int dstSize) {
        return Math.min((int) ((dst + 0.5) * srcSize / dstSize), srcSize - 1);
    }
}
