/**
 * The job's Kafka records on the Flink side: the records it reads and writes as Flink types, the
 * deserialization schema of its sources and the serialization schemas of its sinks.
 */
package io.scenestream.kafka.flink;
