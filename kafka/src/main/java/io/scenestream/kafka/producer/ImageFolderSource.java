package io.scenestream.kafka.producer;

import io.scenestream.frames.Resize;
import io.scenestream.frames.RgbFrame;
import io.scenestream.kafka.serde.FramePixels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The images of a folder, in name order, as a camera: a NYUD-layout dataset ({@code images/} inside
 * the folder is used when present) or any folder of .png/.jpg files; optionally resized and looped.
 */
public final class ImageFolderSource implements FrameSupplier {

    private final Path folder;
    private final List<Path> images;
    private final boolean loop;
    private final int width;
    private final int height;
    private int next;

    public ImageFolderSource(Path folder, boolean loop, int width, int height) throws IOException {
        Path dir = Files.isDirectory(folder.resolve("images")) ? folder.resolve("images") : folder;
        if (!Files.isDirectory(dir)) {
            throw new IOException("image folder " + folder + " does not exist");
        }
        try (Stream<Path> files = Files.list(dir)) {
            images =
                    files.filter(p -> p.getFileName().toString().matches("(?i).*\\.(png|jpe?g)"))
                            .sorted()
                            .toList();
        }
        if (images.isEmpty()) {
            throw new IOException("image folder " + dir + " holds no .png or .jpg files");
        }
        this.folder = dir;
        this.loop = loop;
        this.width = width;
        this.height = height;
    }

    @Override
    public RgbFrame next() throws IOException {
        if (next >= images.size()) {
            if (!loop) {
                return null;
            }
            next = 0;
        }
        Path p = images.get(next++);
        BufferedImage img = ImageIO.read(p.toFile());
        if (img == null) {
            throw new IOException(p + " is not a readable image");
        }
        byte[] rgb = FramePixels.rgb(img);
        if (width > 0 && height > 0 && (img.getWidth() != width || img.getHeight() != height)) {
            return new RgbFrame(
                    width,
                    height,
                    Resize.bilinearRgb(rgb, img.getHeight(), img.getWidth(), height, width));
        }
        return new RgbFrame(img.getWidth(), img.getHeight(), rgb);
    }

    @Override
    public double frameRate() {
        return 0;
    }

    @Override
    public String describe() {
        return "images " + folder + " (" + images.size() + (loop ? ", looped" : "") + ")";
    }

    @Override
    public void close() {}
}
