package io.scenestream.frames.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads NumPy {@code .npy} arrays of little-endian {@code float32} or {@code float64} in C order:
 * the format of NYUD's depth maps. Versions 1, 2 and 3 of the format are read.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** An array's shape and its values as float32, in C order. */
    public record Array(long[] shape, float[] values) {}

    private Npy() {}

    /** Reads one array; any other content is an {@link IOException} that says what is wrong. */
    public static Array read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a .npy file: no \\x93NUMPY magic");
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte();
        long headerLength;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        } else if (major == 2 || major == 3) {
            headerLength = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        } else {
            throw new IOException(".npy format version " + major + " is not supported");
        }
        if (headerLength > 1 << 20) {
            throw new IOException(".npy header of " + headerLength + " bytes is too long");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        in.readFully(headerBytes);
        String header =
                new String(
                        headerBytes,
                        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        String descr = group(DESCR, header, "descr");
        if ("True".equals(group(FORTRAN, header, "fortran_order"))) {
            throw new IOException(".npy array in Fortran order is not supported");
        }
        long[] shape = parseShape(group(SHAPE, header, "shape"));
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IOException(".npy array of " + count + " values is too large");
        }
        int bytesPerValue =
                switch (descr) {
                    case "<f4" -> 4;
                    case "<f8" -> 8;
                    default ->
                            throw new IOException(
                                    ".npy dtype "
                                            + descr
                                            + " is not supported (float32 or float64)");
                };
        byte[] data = new byte[Math.toIntExact(count * bytesPerValue)];
        in.readFully(data);
        ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[(int) count];
        if (bytesPerValue == 4) {
            buffer.asFloatBuffer().get(values);
        } else {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) buffer.getDouble();
            }
        }
        return new Array(shape, values);
    }

    private static String group(Pattern pattern, String header, String key) throws IOException {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new IOException(".npy header has no '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    private static long[] parseShape(String text) throws IOException {
        String[] parts =
                Arrays.stream(text.split(","))
                        .map(String::trim)
                        .filter(p -> !p.isEmpty())
                        .toArray(String[]::new);
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                shape[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                shape[i] = -1;
            }
            if (shape[i] < 0) {
                throw new IOException(".npy shape (" + text + ") is not a tuple of sizes");
            }
        }
        return shape;
    }
}
