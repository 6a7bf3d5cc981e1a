package io.scenestream.frames.data;

import io.scenestream.frames.DenseSample;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * NYU Depth v2 in the reference's NYUD layout: {@code images/ID.jpg|png} (RGB), {@code
 * depth/ID.npy} (float32 metres), {@code segmentation/ID.png} (40 classes) or {@code
 * segmentation13/ID.png} (13 classes), 8-bit with 0 = void, and {@code gt_sets/SPLIT.txt} listing
 * the ids. Void becomes {@link DenseSample#IGNORE} and classes become 0-based.
 */
public final class NyudDataset {

    /** The 13-class NYU label set, in class-id order. */
    public static final List<String> CLASSES_13 =
            List.of(
                    "bed",
                    "books",
                    "ceiling",
                    "chair",
                    "floor",
                    "furniture",
                    "objects",
                    "picture",
                    "sofa",
                    "table",
                    "tv",
                    "wall",
                    "window");

    private final Path root;
    private final int classes;
    private final List<String> ids;

    /**
     * @param root the dataset folder
     * @param classes 13 or 40
     * @param split the name of a file in {@code gt_sets/} without {@code .txt}
     */
    public NyudDataset(Path root, int classes, String split) throws IOException {
        if (classes != 13 && classes != 40) {
            throw new IllegalArgumentException("NYUD has 13- or 40-class labels, not " + classes);
        }
        this.root = root;
        this.classes = classes;
        Path list = root.resolve("gt_sets").resolve(split + ".txt");
        if (!Files.isRegularFile(list)) {
            throw new IOException("NYUD split file " + list + " does not exist");
        }
        ids =
                Files.readAllLines(list).stream()
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
        if (ids.isEmpty()) {
            throw new IOException("NYUD split file " + list + " lists no samples");
        }
    }

    private NyudDataset(Path root, int classes, List<String> ids) {
        this.root = root;
        this.classes = classes;
        this.ids = List.copyOf(ids);
    }

    /**
     * One part of a {@code folds}-fold split of this set, for cross-validation: fold {@code fold}
     * (1-based) is every {@code folds}-th sample in file order starting at the {@code fold}-th, so
     * each fold spreads over the whole list; {@code test} gives that fold, else the others.
     */
    public NyudDataset fold(int folds, int fold, boolean test) {
        if (folds < 2 || folds > ids.size()) {
            throw new IllegalArgumentException(
                    "folds must be in [2, "
                            + ids.size()
                            + "] for "
                            + ids.size()
                            + " samples, got "
                            + folds);
        }
        if (fold < 1 || fold > folds) {
            throw new IllegalArgumentException("fold must be in [1, " + folds + "], got " + fold);
        }
        List<String> part = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if ((i % folds == fold - 1) == test) {
                part.add(ids.get(i));
            }
        }
        return new NyudDataset(root, classes, part);
    }

    /** Sample ids of the split, in file order. */
    public List<String> ids() {
        return ids;
    }

    /** Number of segmentation classes. */
    public int classes() {
        return classes;
    }

    /** Reads sample {@code id} at its stored resolution. */
    public DenseSample read(String id) throws IOException {
        Path image = root.resolve("images").resolve(id + ".png");
        if (!Files.exists(image)) {
            image = root.resolve("images").resolve(id + ".jpg");
        }
        BufferedImage rgbImage = readImage(id, image);
        int h = rgbImage.getHeight();
        int w = rgbImage.getWidth();
        byte[] rgb = new byte[h * w * 3];
        int[] argb = rgbImage.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }

        Path labels =
                root.resolve(classes == 13 ? "segmentation13" : "segmentation")
                        .resolve(id + ".png");
        Raster raster = readImage(id, labels).getRaster();
        checkSize(id, "segmentation " + labels, raster.getHeight(), raster.getWidth(), h, w);
        int[] raw = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        int[] semseg = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            int v = raw[i];
            if (v > classes) {
                throw new IOException(
                        "sample "
                                + id
                                + ": label "
                                + v
                                + " at pixel "
                                + i
                                + " of "
                                + labels
                                + " is outside 0.."
                                + classes);
            }
            semseg[i] = v == 0 ? DenseSample.IGNORE : v - 1;
        }

        Path depthFile = root.resolve("depth").resolve(id + ".npy");
        float[] depth = readDepth(id, depthFile, h, w);
        return new DenseSample(id, h, w, rgb, semseg, depth);
    }

    /** Reads every sample of the split, each resized to {@code h x w}. */
    public List<DenseSample> readAll(int h, int w) throws IOException {
        List<DenseSample> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            out.add(read(id).resize(h, w));
        }
        return out;
    }

    private static BufferedImage readImage(String id, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("sample " + id + ": " + file + " does not exist");
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException("sample " + id + ": " + file + " is not a readable image");
        }
        return img;
    }

    private static float[] readDepth(String id, Path file, int h, int w) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("sample " + id + ": " + file + " does not exist");
        }
        Npy.Array d;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            d = Npy.read(in);
        } catch (IOException e) {
            throw new IOException(
                    "sample " + id + ": " + file + " is not a .npy array: " + e.getMessage(), e);
        }
        long[] s = d.shape();
        if (s.length != 2) {
            throw new IOException(
                    "sample "
                            + id
                            + ": depth "
                            + file
                            + " has shape "
                            + Arrays.toString(s)
                            + ", expected (H, W)");
        }
        checkSize(id, "depth " + file, (int) s[0], (int) s[1], h, w);
        float[] v = d.values();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i]) || v[i] < 0) {
                v[i] = 0;
            }
        }
        return v;
    }

    private static void checkSize(String id, String what, int h, int w, int imageH, int imageW)
            throws IOException {
        if (h != imageH || w != imageW) {
            throw new IOException(
                    "sample "
                            + id
                            + ": "
                            + what
                            + " is "
                            + h
                            + "x"
                            + w
                            + " but the image is "
                            + imageH
                            + "x"
                            + imageW);
        }
    }
}
