package io.scenestream.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameSerdeTest {

    private final FrameSerializer ser = new FrameSerializer();
    private final FrameDeserializer de = new FrameDeserializer(new FrameLimits(1 << 20, 640, 480));

    private static byte[] gradient(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * w + x);
                rgb[i] = (byte) (x * 255 / w);
                rgb[i + 1] = (byte) (y * 255 / h);
                rgb[i + 2] = (byte) 128;
            }
        }
        return rgb;
    }

    private static Frame frame(Encoding enc, byte[] payload, int w, int h) {
        return Frame.newBuilder()
                .setCameraId("cam-1")
                .setSequence(7)
                .setCaptureTimeUs(1_700_000_000_000_000L)
                .setWidth(w)
                .setHeight(h)
                .setEncoding(enc)
                .setPayload(ByteString.copyFrom(payload))
                .build();
    }

    @Test
    void framesRoundTripInEveryEncoding() {
        byte[] rgb = gradient(64, 48);
        Frame raw = frame(Encoding.RAW_RGB8, rgb, 64, 48);
        assertThat(de.deserialize("frames", ser.serialize("frames", raw))).isEqualTo(raw);
        assertThat(FramePixels.decode(raw)).isEqualTo(rgb);
        Frame png = frame(Encoding.PNG, FramePixels.png(rgb, 64, 48), 64, 48);
        assertThat(FramePixels.decode(de.deserialize("frames", ser.serialize("frames", png))))
                .isEqualTo(rgb);
        Frame jpeg = frame(Encoding.JPEG, FramePixels.jpeg(rgb, 64, 48, 0.95f), 64, 48);
        byte[] back = FramePixels.decode(de.deserialize("frames", ser.serialize("frames", jpeg)));
        double err = 0;
        for (int i = 0; i < rgb.length; i++) {
            err += Math.abs((rgb[i] & 0xff) - (back[i] & 0xff));
        }
        assertThat(err / rgb.length).as("mean JPEG error").isLessThan(4);
        assertThat(ser.serialize("frames", null)).isNull();
        assertThat(de.deserialize("frames", null)).isNull();
    }

    @Test
    void badRecordsAreRefusedWithTheirReason() {
        byte[] good = ser.serialize("f", frame(Encoding.RAW_RGB8, gradient(64, 48), 64, 48));
        assertReason(Arrays.copyOf(good, good.length / 2), BadRecordException.Reason.UNPARSABLE);
        byte[] garbage = new byte[300];
        Arrays.fill(garbage, (byte) 0xff);
        assertReason(garbage, BadRecordException.Reason.UNPARSABLE);
        assertReason(new byte[(1 << 20) + 1], BadRecordException.Reason.OVERSIZED);
        assertReason(
                ser.serialize("f", frame(Encoding.RAW_RGB8, gradient(64, 48), 64, 47)),
                BadRecordException.Reason.BAD_DIMENSIONS);
        assertReason(
                ser.serialize("f", frame(Encoding.RAW_RGB8, new byte[3 * 700 * 2], 700, 2)),
                BadRecordException.Reason.BAD_DIMENSIONS);
        assertReason(
                ser.serialize("f", frame(Encoding.PNG, new byte[] {1}, 64, 0)),
                BadRecordException.Reason.BAD_DIMENSIONS);
        assertReason(
                ser.serialize(
                        "f",
                        frame(Encoding.RAW_RGB8, gradient(8, 8), 8, 8).toBuilder()
                                .setEncodingValue(42)
                                .build()),
                BadRecordException.Reason.UNKNOWN_ENCODING);
        assertReason(
                ser.serialize(
                        "f",
                        frame(Encoding.RAW_RGB8, gradient(8, 8), 8, 8).toBuilder()
                                .clearCameraId()
                                .build()),
                BadRecordException.Reason.MISSING_FIELD);
        assertReason(
                ser.serialize("f", frame(Encoding.JPEG, new byte[0], 8, 8)),
                BadRecordException.Reason.MISSING_FIELD);
    }

    @Test
    void theCameraIdIsReadWithoutParsingTheFrameAndEmptyWhenItCannotBe() throws Exception {
        Frame f = frame(Encoding.RAW_RGB8, gradient(64, 48), 64, 48);
        assertThat(FrameDeserializer.cameraIdOf(ser.serialize("f", f))).isEqualTo("cam-1");
        // Wherever the field sits, and as parsing does, the last camera_id counts.
        byte[] idLast =
                concat(
                        f.toBuilder().clearCameraId().build().toByteArray(),
                        Frame.newBuilder().setCameraId("cam-2").build().toByteArray());
        assertThat(FrameDeserializer.cameraIdOf(idLast))
                .isEqualTo("cam-2")
                .isEqualTo(Frame.parseFrom(idLast).getCameraId());
        byte[] twice =
                concat(
                        ser.serialize("f", f),
                        Frame.newBuilder().setCameraId("cam-3").build().toByteArray());
        assertThat(FrameDeserializer.cameraIdOf(twice)).isEqualTo("cam-3");
        // Not readable: empty, never an exception (records are keyed before they are checked).
        byte[] good = ser.serialize("f", f);
        byte[] garbage = new byte[300];
        Arrays.fill(garbage, (byte) 0xff);
        assertThat(FrameDeserializer.cameraIdOf(garbage)).isEmpty();
        assertThat(FrameDeserializer.cameraIdOf(Arrays.copyOf(good, 4))).isEmpty();
        assertThat(FrameDeserializer.cameraIdOf(null)).isEmpty();
        assertThat(FrameDeserializer.cameraIdOf(new byte[0])).isEmpty();
        assertThat(
                        FrameDeserializer.cameraIdOf(
                                ser.serialize("f", f.toBuilder().clearCameraId().build())))
                .isEmpty();
        assertThat(
                        FrameDeserializer.cameraIdOf(
                                ser.serialize(
                                        "f", f.toBuilder().setCameraId("c".repeat(300)).build())))
                .isEmpty();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void pixelsThatDisagreeWithTheRecordAreRefusedWhenDecoded() {
        Frame wrongSize = frame(Encoding.PNG, FramePixels.png(gradient(32, 32), 32, 32), 64, 48);
        assertThatThrownBy(() -> FramePixels.decode(wrongSize))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(BadRecordException.Reason.BAD_DIMENSIONS));
        Frame notJpeg = frame(Encoding.JPEG, "definitely not a jpeg".getBytes(), 64, 48);
        assertThatThrownBy(() -> FramePixels.decode(notJpeg))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(BadRecordException.Reason.UNDECODABLE));
        byte[] jpeg = FramePixels.jpeg(gradient(64, 48), 64, 48, 0.9f);
        byte[] png = FramePixels.png(gradient(64, 48), 64, 48);
        for (Frame truncated :
                List.of(
                        frame(Encoding.JPEG, Arrays.copyOf(jpeg, jpeg.length * 3 / 4), 64, 48),
                        frame(Encoding.JPEG, Arrays.copyOf(jpeg, jpeg.length / 2), 64, 48),
                        frame(Encoding.PNG, Arrays.copyOf(png, png.length / 2), 64, 48))) {
            assertThatThrownBy(() -> FramePixels.decode(truncated))
                    .as(
                            truncated.getEncoding()
                                    + " cut to "
                                    + truncated.getPayload().size()
                                    + " bytes")
                    .isInstanceOfSatisfying(
                            BadRecordException.class,
                            e ->
                                    assertThat(e.reason())
                                            .isEqualTo(BadRecordException.Reason.UNDECODABLE));
        }
    }

    @Test
    void aPayloadOfAnotherEncodingThanDeclaredIsRefusedUnlessSniffed() {
        byte[] rgb = gradient(64, 48);
        Frame pngSaysJpeg = frame(Encoding.JPEG, FramePixels.png(rgb, 64, 48), 64, 48);
        Frame jpegSaysPng = frame(Encoding.PNG, FramePixels.jpeg(rgb, 64, 48, 0.9f), 64, 48);
        assertThatThrownBy(() -> FramePixels.decode(pngSaysJpeg))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e -> {
                            assertThat(e.reason())
                                    .isEqualTo(BadRecordException.Reason.ENCODING_MISMATCH);
                            assertThat(e.getMessage())
                                    .contains("declares JPEG but its payload is a PNG image");
                        });
        assertThatThrownBy(() -> FramePixels.decode(jpegSaysPng))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(BadRecordException.Reason.ENCODING_MISMATCH));
        // Sniffed, the PNG decodes to its exact pixels and the JPEG to its own.
        assertThat(FramePixels.decode(pngSaysJpeg, true)).isEqualTo(rgb);
        assertThat(FramePixels.decode(jpegSaysPng, true))
                .isEqualTo(
                        FramePixels.decode(
                                frame(
                                        Encoding.JPEG,
                                        jpegSaysPng.getPayload().toByteArray(),
                                        64,
                                        48)));
    }

    private void assertReason(byte[] data, BadRecordException.Reason reason) {
        assertThatThrownBy(() -> de.deserialize("frames", data))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }
}
