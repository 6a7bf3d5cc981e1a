/**
 * Camera sources (video file or stream, device, image folder, synthetic camera) and the producer
 * that publishes their frames as {@code Frame} records.
 */
package io.scenestream.kafka.producer;
