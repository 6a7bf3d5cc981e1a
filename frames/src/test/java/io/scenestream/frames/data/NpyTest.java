package io.scenestream.frames.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The .npy reader against arrays laid out by hand as NumPy writes them. */
class NpyTest {

    /** NumPy's layout: magic, version, header length, a dict padded to 64 bytes, the data. */
    private static byte[] npy(String descr, String shape, double... values) {
        String dict =
                "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int pad = 64 - (10 + dict.length() + 1) % 64;
        String header = dict + " ".repeat(pad % 64) + "\n";
        int width = descr.endsWith("8") ? 8 : 4;
        ByteBuffer b =
                ByteBuffer.allocate(10 + header.length() + width * values.length)
                        .order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (double v : values) {
            if (width == 8) {
                b.putDouble(v);
            } else {
                b.putFloat((float) v);
            }
        }
        return b.array();
    }

    @Test
    void readsFloat32AndFloat64InCOrder() throws IOException {
        Npy.Array f4 = Npy.read(new ByteArrayInputStream(npy("<f4", "2, 3", 1, 2, 3, 4.5, -5, 6)));
        assertThat(f4.shape()).containsExactly(2, 3);
        assertThat(f4.values()).containsExactly(1f, 2f, 3f, 4.5f, -5f, 6f);
        Npy.Array f8 = Npy.read(new ByteArrayInputStream(npy("<f8", "3,", 0.25, 1e-3, 7)));
        assertThat(f8.shape()).containsExactly(3);
        assertThat(f8.values()).containsExactly(0.25f, 1e-3f, 7f);
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream("not numpy at all".getBytes())))
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(npy("<i4", "2", 1, 2))))
                .hasMessageContaining("dtype <i4");
        byte[] truncated = npy("<f4", "4", 1, 2, 3, 4);
        assertThatThrownBy(
                        () ->
                                Npy.read(
                                        new ByteArrayInputStream(
                                                truncated, 0, truncated.length - 3)))
                .isInstanceOf(IOException.class);
    }
}
