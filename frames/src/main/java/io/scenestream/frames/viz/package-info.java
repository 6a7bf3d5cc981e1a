/**
 * Pictures of frames and predictions: the NYU label colours ({@link
 * io.scenestream.frames.viz.NyuPalette}), a perceptual depth colormap ({@link
 * io.scenestream.frames.viz.DepthColormap}) and the images built from them ({@link
 * io.scenestream.frames.viz.Panels}): segmentation, overlays, depth with a metre scale, legends, an
 * evaluation panel and a video mosaic. Pure Java2D on {@code BufferedImage}s; headless.
 */
package io.scenestream.frames.viz;
