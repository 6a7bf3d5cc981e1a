package io.scenestream.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.frames.SharedData;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.synthetic.CameraRig;
import io.scenestream.synthetic.Furnishing;
import io.scenestream.synthetic.Look;
import io.scenestream.synthetic.SyntheticWorld;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataSpecTest {

    private static final String NYUD = "nyud:" + SharedData.path("data/nyud-mini");

    private static Set<String> ids(SampleSource s) throws Exception {
        Set<String> out = new HashSet<>();
        for (long i = 0; i < s.size(); i++) {
            out.add(s.get(i, 48, 64).id());
        }
        return out;
    }

    /** A fold's train part never holds a frame of its test part; the test parts cover the set. */
    @Test
    void crossValidationKeepsTestFramesOutOfTraining() throws Exception {
        Set<String> all = new HashSet<>();
        for (int f = 1; f <= 3; f++) {
            SampleSource train = DataSpec.parse(NYUD + ";folds=3;fold=" + f).open(1, null, null);
            SampleSource test =
                    DataSpec.parse(NYUD + ";folds=3;fold=" + f + ";part=test").open(1, null, null);
            assertThat(train.size()).isEqualTo(18);
            assertThat(test.size()).isEqualTo(9);
            Set<String> testIds = ids(test);
            assertThat(testIds).hasSize(9);
            assertThat(ids(train)).hasSize(18).doesNotContainAnyElementsOf(testIds);
            all.addAll(testIds);
        }
        assertThat(all).hasSize(27);
    }

    @Test
    void badCrossValidationOrCameraOptionsAreNamed() {
        assertThatThrownBy(() -> DataSpec.parse(NYUD + ";folds=3"))
                .hasMessageContaining("needs both folds=K and fold=F");
        assertThatThrownBy(() -> DataSpec.parse(NYUD + ";folds=3;fold=4"))
                .hasMessageContaining("1 <= fold <= folds");
        assertThatThrownBy(() -> DataSpec.parse(NYUD + ";folds=3;fold=1;part=eval"))
                .hasMessageContaining("part must be train or test");
        assertThatThrownBy(() -> DataSpec.parse("synthetic:day;camera=drone"))
                .hasMessageContaining("unknown camera rig 'drone'")
                .hasMessageContaining("handheld");
        assertThatThrownBy(() -> DataSpec.parse("synthetic:day;rooms=tidy"))
                .hasMessageContaining("unknown rooms 'tidy'")
                .hasMessageContaining("lived-in");
        assertThatThrownBy(() -> DataSpec.parse("synthetic:day;look=film"))
                .hasMessageContaining("unknown look 'film'")
                .hasMessageContaining("photo");
        assertThatThrownBy(() -> DataSpec.parse("synthetic:day;fold=1"))
                .hasMessageContaining("unknown option 'fold'");
    }

    @Test
    void theSyntheticWorldReachesTheOpener() throws Exception {
        List<SyntheticWorld> opened = new ArrayList<>();
        DataSpec.parse(
                        "synthetic:day;camera=handheld,synthetic:night,"
                                + "synthetic:day;rooms=lived-in;look=photo;camera=handheld")
                .open(
                        1,
                        null,
                        (domain, seed, world) -> {
                            opened.add(world);
                            return null;
                        });
        assertThat(opened)
                .containsExactly(
                        new SyntheticWorld(CameraRig.HANDHELD, Furnishing.SPARSE, Look.RENDERED),
                        SyntheticWorld.DEFAULT,
                        SyntheticWorld.NYU);
    }
}
