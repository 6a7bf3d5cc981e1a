/**
 * The embedded single-node KRaft broker used by local mode, the tools and the tests, and a command
 * that runs it alone. Not part of the job jar.
 */
package io.scenestream.broker;
