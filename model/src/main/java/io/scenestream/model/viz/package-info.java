/**
 * Pictures of frames and predictions: the NYU label colours ({@link
 * io.scenestream.model.viz.NyuPalette}), a perceptual depth colormap ({@link
 * io.scenestream.model.viz.DepthColormap}) and the images built from them ({@link
 * io.scenestream.model.viz.Panels}): segmentation, overlays, depth with a metre scale, legends, an
 * evaluation panel and a video mosaic. Pure Java2D on {@code BufferedImage}s; headless.
 */
package io.scenestream.model.viz;
