package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.frames.data.NyudDataset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Generated rooms: reproducible, varied, furnished plausibly, with room for the camera. */
class SceneGeneratorTest {

    @Test
    void classIdsAreTheNyu13Order() {
        assertThat(NyudDataset.CLASSES_13.indexOf("bed")).isEqualTo(SyntheticClasses.BED);
        assertThat(NyudDataset.CLASSES_13.indexOf("books")).isEqualTo(SyntheticClasses.BOOKS);
        assertThat(NyudDataset.CLASSES_13.indexOf("ceiling")).isEqualTo(SyntheticClasses.CEILING);
        assertThat(NyudDataset.CLASSES_13.indexOf("chair")).isEqualTo(SyntheticClasses.CHAIR);
        assertThat(NyudDataset.CLASSES_13.indexOf("floor")).isEqualTo(SyntheticClasses.FLOOR);
        assertThat(NyudDataset.CLASSES_13.indexOf("furniture"))
                .isEqualTo(SyntheticClasses.FURNITURE);
        assertThat(NyudDataset.CLASSES_13.indexOf("objects")).isEqualTo(SyntheticClasses.OBJECTS);
        assertThat(NyudDataset.CLASSES_13.indexOf("picture")).isEqualTo(SyntheticClasses.PICTURE);
        assertThat(NyudDataset.CLASSES_13.indexOf("sofa")).isEqualTo(SyntheticClasses.SOFA);
        assertThat(NyudDataset.CLASSES_13.indexOf("table")).isEqualTo(SyntheticClasses.TABLE);
        assertThat(NyudDataset.CLASSES_13.indexOf("tv")).isEqualTo(SyntheticClasses.TV);
        assertThat(NyudDataset.CLASSES_13.indexOf("wall")).isEqualTo(SyntheticClasses.WALL);
        assertThat(NyudDataset.CLASSES_13.indexOf("window")).isEqualTo(SyntheticClasses.WINDOW);
        assertThat(SyntheticClasses.COUNT).isEqualTo(NyudDataset.CLASSES_13.size());
    }

    @Test
    void sameSeedSameRoomOtherSeedOtherRoom() {
        IndoorScene a = SceneGenerator.generate(77);
        IndoorScene b = SceneGenerator.generate(77);
        IndoorScene c = SceneGenerator.generate(78);
        assertThat(b.primitives()).isEqualTo(a.primitives());
        assertThat(b.decals()).isEqualTo(a.decals());
        assertThat(b.lights()).isEqualTo(a.lights());
        assertThat(b.width()).isEqualTo(a.width());
        assertThat(c.primitives()).isNotEqualTo(a.primitives());
    }

    @ParameterizedTest
    @EnumSource(Furnishing.class)
    void roomsAreFurnishedPlausibly(Furnishing furnishing) {
        Set<String> kinds = new HashSet<>();
        Set<Integer> classes = new HashSet<>();
        for (long seed = 0; seed < 60; seed++) {
            IndoorScene s = SceneGenerator.generate(seed, furnishing);
            kinds.add(s.kind());
            assertThat(s.width()).isBetween(3.0, 7.0);
            assertThat(s.depth()).isBetween(3.0, 7.0);
            assertThat(s.height()).isBetween(2.4, 3.2);
            assertThat(s.decals()).anyMatch(d -> d.kind() == WallDecal.Kind.WINDOW);
            assertThat(s.lights()).anyMatch(l -> l.kind() == Light.Kind.LAMP);
            assertThat(s.footprints()).isNotEmpty();
            for (Primitive p : s.primitives()) {
                classes.add(p.classId());
                double[] b = p.bounds();
                // Inside the room (sills reach 1 cm into the wall, bedding overhangs by 2 cm).
                assertThat(b[0]).as("seed %d %s", seed, p).isGreaterThan(-0.03);
                assertThat(b[2]).as("seed %d %s", seed, p).isGreaterThan(-0.03);
                assertThat(b[3]).as("seed %d %s", seed, p).isLessThan(s.width() + 0.03);
                assertThat(b[5]).as("seed %d %s", seed, p).isLessThan(s.depth() + 0.03);
                assertThat(b[1]).as("on or above the floor: %s", p).isGreaterThanOrEqualTo(-1e-9);
                assertThat(b[4])
                        .as("below the ceiling: %s", p)
                        .isLessThanOrEqualTo(s.height() + 1e-9);
            }
            // Every footprint is on the floor of the room.
            List<Footprint> fps = s.footprints();
            for (Footprint f : fps) {
                double[] b = f.bounds();
                assertThat(b[0]).isGreaterThan(-1e-6);
                assertThat(b[1]).isGreaterThan(-1e-6);
                assertThat(b[2]).isLessThan(s.width() + 1e-6);
                assertThat(b[3]).isLessThan(s.depth() + 1e-6);
            }
            // The camera has a connected free area to walk in.
            assertThat(CameraPath.largestFreeRegion(s.width(), s.depth(), fps, 0.1).size() * 0.01)
                    .isGreaterThanOrEqualTo(SceneGenerator.MIN_FREE_AREA);
        }
        assertThat(kinds)
                .containsExactlyInAnyOrder(
                        "bedroom", "living-room", "dining-room", "office", "library");
        // Every class but the shell's own (wall, ceiling; the floor class is used by rugs) and
        // pictures (decals) is built from primitives.
        assertThat(classes)
                .contains(
                        SyntheticClasses.BED,
                        SyntheticClasses.BOOKS,
                        SyntheticClasses.CHAIR,
                        SyntheticClasses.FURNITURE,
                        SyntheticClasses.OBJECTS,
                        SyntheticClasses.SOFA,
                        SyntheticClasses.TABLE,
                        SyntheticClasses.TV,
                        SyntheticClasses.WINDOW);
    }

    /**
     * A lived-in room is the sparse room of its seed with things added: every primitive, decal,
     * light and footprint of the sparse room is there, and small objects are several times as many.
     */
    @Test
    void aLivedInRoomIsItsSparseRoomWithThingsAdded() {
        long sparseObjects = 0;
        long livedInObjects = 0;
        for (long seed = 0; seed < 30; seed++) {
            IndoorScene sparse = SceneGenerator.generate(seed, Furnishing.SPARSE);
            IndoorScene livedIn = SceneGenerator.generate(seed, Furnishing.LIVED_IN);
            assertThat(SceneGenerator.generate(seed).primitives()).isEqualTo(sparse.primitives());
            assertThat(SceneGenerator.generate(seed, Furnishing.LIVED_IN).primitives())
                    .isEqualTo(livedIn.primitives());
            assertThat(livedIn.primitives()).containsAll(sparse.primitives());
            assertThat(livedIn.primitives().size()).isGreaterThan(sparse.primitives().size());
            assertThat(livedIn.decals()).isEqualTo(sparse.decals());
            assertThat(livedIn.lights()).isEqualTo(sparse.lights());
            assertThat(livedIn.footprints()).containsAll(sparse.footprints());
            // What is added stands clear of everything else.
            for (Footprint f : livedIn.footprints()) {
                if (sparse.footprints().contains(f)) {
                    continue;
                }
                for (Footprint g : livedIn.footprints()) {
                    assertThat(f != g && f.overlaps(g, 0))
                            .as("seed %d: %s and %s", seed, f, g)
                            .isFalse();
                }
            }
            sparseObjects += objects(sparse);
            livedInObjects += objects(livedIn);
        }
        assertThat(livedInObjects).isGreaterThan(2 * sparseObjects);
    }

    private static long objects(IndoorScene s) {
        return s.primitives().stream().filter(p -> p.classId() == SyntheticClasses.OBJECTS).count();
    }
}
