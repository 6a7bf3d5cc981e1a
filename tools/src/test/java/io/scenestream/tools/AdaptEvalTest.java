package io.scenestream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdaptEvalTest {

    @Test
    void quantilesAreNearestRanks() {
        List<Float> v = List.of(7f, 1f, 10f, 3f, 2f, 9f, 4f, 6f, 8f, 5f);
        assertThat(AdaptEval.quantile(v, 0.5)).isEqualTo(5.0);
        assertThat(AdaptEval.quantile(v, 0.99)).isEqualTo(10.0);
        assertThat(AdaptEval.quantile(v, 0.1)).isEqualTo(1.0);
        assertThat(AdaptEval.quantile(List.of(), 0.5)).isNaN();
    }

    @Test
    void withoutPredictionsNothingIsKept() {
        AdaptEval e = new AdaptEval();
        assertThat((double) e.inferenceKept().get("predictions_per_second")).isNaN();
        assertThat((double) e.inferenceKept().get("camera_rate_kept")).isNaN();
        assertThat(e.inferenceKept().get("camera_fps")).isEqualTo(5.0);
    }
}
