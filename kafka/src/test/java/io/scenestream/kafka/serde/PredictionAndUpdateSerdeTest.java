package io.scenestream.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.proto.Prediction;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PredictionAndUpdateSerdeTest {

    @Test
    void depthAndClassMapsRoundTrip() {
        int w = 40;
        int h = 30;
        float[] depth = new float[w * h];
        byte[] classes = new byte[w * h];
        for (int i = 0; i < depth.length; i++) {
            depth[i] = 0.3f + i * 0.0123f;
            classes[i] = (byte) (i % 13);
        }
        depth[5] = Float.NaN;
        depth[6] = -1f;
        depth[7] = 99f;
        float[] back = PredictionMaps.depthMetres(PredictionMaps.depthPng(depth, w, h), w, h);
        for (int i = 8; i < depth.length; i++) {
            assertThat(back[i]).isCloseTo(depth[i], within(0.0005f));
        }
        assertThat(back[5]).isZero();
        assertThat(back[6]).isZero();
        assertThat(back[7]).isEqualTo(65.535f);
        assertThat(PredictionMaps.segmentation(PredictionMaps.segmentationPng(classes, w, h), w, h))
                .isEqualTo(classes);

        Prediction p =
                Prediction.newBuilder()
                        .setCameraId("c")
                        .setSequence(3)
                        .setWidth(w)
                        .setHeight(h)
                        .setDepthPng(ByteString.copyFrom(PredictionMaps.depthPng(depth, w, h)))
                        .setModelVersion(2)
                        .build();
        assertThat(
                        new PredictionDeserializer()
                                .deserialize("p", new PredictionSerializer().serialize("p", p)))
                .isEqualTo(p);
        assertThatThrownBy(
                        () -> PredictionMaps.depthMetres(p.getDepthPng().toByteArray(), w + 1, h))
                .isInstanceOf(BadRecordException.class)
                .hasMessageContaining("40x30");
    }

    @Test
    void modelUpdatesMustMatchTheirChecksum() {
        byte[] ckpt = "weights".getBytes();
        ModelUpdate ok =
                ModelUpdate.newBuilder()
                        .setModelName("student")
                        .setVersion(4)
                        .setCheckpoint(ByteString.copyFrom(ckpt))
                        .setSha256(ModelUpdateDeserializer.sha256(ckpt))
                        .putValidation("agreement", 0.91)
                        .build();
        ModelUpdateDeserializer de = new ModelUpdateDeserializer();
        byte[] bytes = new ModelUpdateSerializer().serialize("u", ok);
        assertThat(de.deserialize("u", bytes)).isEqualTo(ok);
        ModelUpdate tampered =
                ok.toBuilder().setCheckpoint(ByteString.copyFrom("weightz".getBytes())).build();
        assertThatThrownBy(() -> de.deserialize("u", tampered.toByteArray()))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(BadRecordException.Reason.INTEGRITY));
        assertThatThrownBy(() -> de.deserialize("u", Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(BadRecordException.Reason.UNPARSABLE));
        assertThatThrownBy(
                        () ->
                                de.deserialize(
                                        "u", ok.toBuilder().setVersion(0).build().toByteArray()))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(BadRecordException.Reason.MISSING_FIELD));
        assertThat(de.deserialize("u", null)).isNull();
    }

    /**
     * A scoped update names its camera cheaply and signs it: moving it to another camera, or
     * dropping the scope, breaks the signature.
     */
    @Test
    void aScopedUpdateIsSignedWithItsScope() {
        byte[] key = "secret".getBytes();
        byte[] delta = "delta".getBytes();
        ModelUpdate u = ModelUpdates.create("student", "cam-a", 3, delta, java.util.Map.of(), key);
        byte[] bytes = u.toByteArray();
        assertThat(ModelUpdates.scopeOf(bytes)).isEqualTo("cam-a");
        assertThat(ModelUpdates.modelNameOf(bytes)).isEqualTo("student");
        assertThat(ModelUpdates.verify(bytes, key).getScope()).isEqualTo("cam-a");
        for (String moved : new String[] {"cam-b", ""}) {
            byte[] other = u.toBuilder().setScope(moved).build().toByteArray();
            assertThatThrownBy(() -> ModelUpdates.verify(other, key))
                    .isInstanceOfSatisfying(
                            BadRecordException.class,
                            e ->
                                    assertThat(e.reason())
                                            .isEqualTo(BadRecordException.Reason.INTEGRITY));
        }
        ModelUpdate fleet = ModelUpdates.create("student", 3, delta, java.util.Map.of(), key);
        assertThat(ModelUpdates.scopeOf(fleet.toByteArray())).isEmpty();
        assertThat(fleet.getSignature())
                .isEqualTo(
                        ByteString.copyFrom(
                                ModelUpdates.signature("student", 3, fleet.getSha256(), key)));
    }
}
