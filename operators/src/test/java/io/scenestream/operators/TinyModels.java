package io.scenestream.operators;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticDataset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small, fast models and frames for operator tests: the lite architecture at 64x96. */
final class TinyModels {

    static final int H = 64;
    static final int W = 96;

    private TinyModels() {}

    /** Checkpoint bytes of a freshly initialised lite network (weights from {@code seed}). */
    static byte[] checkpoint(String name, long version, int seed, MtiNetConfig config)
            throws Exception {
        Engine.getInstance().setRandomSeed(seed);
        try (Model m = Model.newInstance(name)) {
            MtiNet net = new MtiNet(config);
            net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, H, W));
            CheckpointManifest manifest =
                    CheckpointManifest.from(config)
                            .setModelName(name)
                            .setInputSize(H, W)
                            .optModelVersion(version)
                            .build();
            return Checkpoints.toBytes(net, manifest, DataType.FLOAT32, null);
        }
    }

    static byte[] checkpoint(String name, long version, int seed) throws Exception {
        return checkpoint(name, version, seed, MtiNetConfig.named("lite"));
    }

    static Path write(Path dir, String file, byte[] bytes) throws Exception {
        Path p = dir.resolve(file);
        Files.write(p, bytes);
        return p;
    }

    /** Synthetic frames of one camera, in order, at 64x96. */
    static List<DecodedFrame> frames(String camera, long seed, int n) {
        List<DecodedFrame> out = new ArrayList<>();
        List<DenseSample> samples = SyntheticDataset.frames(seed, n, H, W, Domain.named("day"));
        for (int i = 0; i < n; i++) {
            DecodedFrame f = new DecodedFrame();
            f.cameraId = camera;
            f.sequence = i;
            f.captureTimeUs = System.currentTimeMillis() * 1000;
            f.width = W;
            f.height = H;
            f.rgb = samples.get(i).rgb();
            out.add(f);
        }
        return out;
    }

    /** A frame as its Kafka record (raw RGB8, so decoding gives back exactly its pixels). */
    static RawRecord record(DecodedFrame f) {
        byte[] value =
                Frame.newBuilder()
                        .setCameraId(f.cameraId)
                        .setSequence(f.sequence)
                        .setCaptureTimeUs(f.captureTimeUs)
                        .setWidth(f.width)
                        .setHeight(f.height)
                        .setEncoding(Encoding.RAW_RGB8)
                        .setPayload(com.google.protobuf.ByteString.copyFrom(f.rgb))
                        .build()
                        .toByteArray();
        return new RawRecord(
                "frames",
                0,
                f.sequence,
                f.captureTimeUs / 1000,
                f.cameraId.getBytes(StandardCharsets.UTF_8),
                value);
    }

    /** Synthetic frames with their ground truth, as a teacher's labels. */
    static List<DenseSample> labelled(long seed, int n) {
        return SyntheticDataset.frames(seed, n, H, W, Domain.named("day"));
    }

    /** A teacher's pseudo-label of {@code s} for {@code camera}, as the teacher publishes it. */
    static PseudoLabelRecord pseudoLabel(String camera, DenseSample s, long seq) {
        // Ground truth with every fourth pixel unlabelled stands in for a teacher's confident
        // pixels.
        int[] sem = s.semseg().clone();
        float[] dep = s.depth().clone();
        for (int i = 0; i < sem.length; i += 4) {
            sem[i] = DenseSample.IGNORE;
            dep[i] = 0;
        }
        PseudoLabel p =
                PseudoLabels.encode(
                        PseudoLabel.newBuilder()
                                .setCameraId(camera)
                                .setSequence(seq)
                                .setTeacherName("teacher")
                                .setTeacherVersion(1),
                        new DenseSample(s.id(), s.height(), s.width(), s.rgb(), sem, dep));
        return new PseudoLabelRecord(camera, p.toByteArray());
    }
}
