/**
 * The streaming job: its wiring ({@code SceneStreamJob}), its options, the Kafka topics, and local
 * mode ({@code bin/scenestream-local}).
 */
package io.scenestream.job;
