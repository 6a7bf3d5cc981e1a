/**
 * Serializers and deserializers of the records on the topics (frames, predictions, pseudo-labels,
 * model updates), with the limits and checks that turn bad input into clear errors.
 */
package io.scenestream.kafka.serde;
