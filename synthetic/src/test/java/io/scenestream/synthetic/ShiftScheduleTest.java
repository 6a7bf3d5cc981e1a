package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ShiftScheduleTest {

    @Test
    void parsesSegmentsAndSwitchesAtTheirFirstFrame() {
        ShiftSchedule s = ShiftSchedule.parse("day:300, night:300 ,haze");
        assertThat(s.segments())
                .extracting(seg -> seg.domain().name())
                .containsExactly("day", "night", "haze");
        assertThat(s.blend()).isZero();
        assertThat(s.nameAt(0)).isEqualTo("day");
        assertThat(s.nameAt(299)).isEqualTo("day");
        assertThat(s.nameAt(300)).isEqualTo("night");
        assertThat(s.nameAt(599)).isEqualTo("night");
        assertThat(s.nameAt(600)).isEqualTo("haze");
        assertThat(s.nameAt(1_000_000)).isEqualTo("haze");
        assertThat(s.domainAt(300)).isEqualTo(Domain.named("night"));
        assertThat(s.startOf(2)).isEqualTo(600);
        assertThat(s.toString()).isEqualTo("day:300,night:300,haze");
        assertThat(ShiftSchedule.parse(s.toString()).toString()).isEqualTo(s.toString());
    }

    @Test
    void aSingleDomainRunsForever() {
        ShiftSchedule s = ShiftSchedule.parse("night");
        assertThat(s.nameAt(0)).isEqualTo("night");
        assertThat(s.nameAt(123456)).isEqualTo("night");
        // A count on the last segment is accepted and changes nothing.
        assertThat(ShiftSchedule.parse("day:10,night:5").nameAt(100)).isEqualTo("night");
    }

    @Test
    void blendsIntoEachNewSegmentOverItsFirstFrames() {
        ShiftSchedule s = ShiftSchedule.parse("day:10,night;blend=4");
        Domain day = Domain.named("day");
        Domain night = Domain.named("night");
        assertThat(s.domainAt(9)).isEqualTo(day);
        // Frames 10..13 blend with weights 1/5 .. 4/5, frame 14 is night.
        for (int k = 0; k < 4; k++) {
            Domain d = s.domainAt(10 + k);
            double w = (k + 1) / 5.0;
            assertThat(d.exposure())
                    .isCloseTo(
                            day.exposure() + (night.exposure() - day.exposure()) * w,
                            within(1e-12));
            assertThat(d.name()).isEqualTo("day>night");
            assertThat(s.nameAt(10 + k)).isEqualTo("night");
        }
        assertThat(s.domainAt(14)).isEqualTo(night);
        // The first segment starts without a blend.
        assertThat(s.domainAt(0)).isEqualTo(day);
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertThatThrownBy(() -> ShiftSchedule.parse(" "))
                .hasMessageContaining("empty shift schedule");
        assertThatThrownBy(() -> ShiftSchedule.parse("day:10,fog"))
                .hasMessageContaining("unknown domain 'fog'")
                .hasMessageContaining("day, night, warm-lamp, haze");
        assertThatThrownBy(() -> ShiftSchedule.parse("day,night"))
                .hasMessageContaining("segment 1 (day) needs a frame count");
        assertThatThrownBy(() -> ShiftSchedule.parse("day:ten,night"))
                .hasMessageContaining("whole number of frames")
                .hasMessageContaining("'ten'");
        assertThatThrownBy(() -> ShiftSchedule.parse("day:-5,night")).hasMessageContaining("'-5'");
        assertThatThrownBy(() -> ShiftSchedule.parse("day:0,night"))
                .hasMessageContaining("at least one frame");
        assertThatThrownBy(() -> ShiftSchedule.parse("day:10,,night"))
                .hasMessageContaining("segment 2 is empty");
        assertThatThrownBy(() -> ShiftSchedule.parse("day:10,night;fade=3"))
                .hasMessageContaining("unknown option 'fade=3'");
        assertThatThrownBy(() -> ShiftSchedule.parse("day:10,night:5,haze;blend=8"))
                .hasMessageContaining(
                        "blend of 8 frames is longer than segment 2 (night, 5 frames)");
        assertThatThrownBy(() -> ShiftSchedule.parse("day").nameAt(-1))
                .hasMessageContaining(">= 0");
    }
}
