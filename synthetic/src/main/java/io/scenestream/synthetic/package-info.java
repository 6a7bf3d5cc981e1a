/**
 * A procedural synthetic indoor world rendered by the project's own CPU ray caster: the training
 * data of the student and the testbed of online adaptation under appearance shift.
 *
 * <p><b>Conventions.</b> Lengths are metres, angles radians, colours linear RGB (albedo in [0, 1],
 * radiance unbounded) until the camera converts them to 8-bit sRGB. The world is right-handed with
 * <b>+y up</b>; a room is the box {@code [0, width] x [0, height] x [0, depth]} (x across, z along
 * the room, the floor at y = 0). A yaw is a right-handed rotation about +y: yaw 0 looks (or faces)
 * along +z and yaw +pi/2 along +x. The camera frame is OpenCV's (x right, y down, z forward) and
 * depth is the Z-depth along the optical axis, as a Kinect reports it, not the length of the ray.
 *
 * <p><b>Pieces.</b> {@link io.scenestream.synthetic.SceneGenerator} draws an {@link
 * io.scenestream.synthetic.IndoorScene} from a seed; {@link
 * io.scenestream.synthetic.SyntheticRenderer} renders a {@link io.scenestream.synthetic.CameraPose}
 * of it under a {@link io.scenestream.synthetic.Domain} (lighting, white balance, exposure, noise,
 * blur, haze) to a {@link io.scenestream.frames.DenseSample} with RGB, 13-class labels and metric
 * depth; {@link io.scenestream.synthetic.SyntheticStream} moves a camera smoothly through a room as
 * a video, with the domain following a {@link io.scenestream.synthetic.ShiftSchedule}; {@link
 * io.scenestream.synthetic.SyntheticDataset} is a finite, reproducible set of frames from many
 * rooms. Everything is a pure function of the seeds: the same seed, frame index and domain give
 * bit-identical frames whatever the number of threads.
 */
package io.scenestream.synthetic;
