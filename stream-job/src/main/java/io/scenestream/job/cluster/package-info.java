/**
 * A standalone Flink cluster and Kafka broker as processes of this machine ({@code
 * bin/scenestream-cluster}): start, submit, scale out, stop.
 */
package io.scenestream.job.cluster;
