/**
 * The Kafka command-line tools ({@code bin/scenestream-kafka}): publish a camera's frames, record a
 * job's predictions.
 */
package io.scenestream.kafka.cli;
