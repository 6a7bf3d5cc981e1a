/**
 * A live dashboard of SceneStream's topics in the browser: it reads frames, predictions,
 * pseudo-labels, model updates and dead letters from Kafka with a consumer of its own, keeps each
 * camera's latest state in memory and serves a page, a small JSON API, images and server-sent
 * events from the JDK's HTTP server. It only reads; nothing it does writes to Kafka.
 */
package io.scenestream.dashboard;
