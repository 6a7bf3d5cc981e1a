/**
 * The recorder: consumes predictions and writes MP4 mosaics and PNG snapshots of frame, depth and
 * segmentation; bad records are skipped and counted.
 */
package io.scenestream.kafka.recorder;
