package io.scenestream.frames;

import static io.scenestream.frames.Size.Order.HEIGHT_BY_WIDTH;
import static io.scenestream.frames.Size.Order.WIDTH_BY_HEIGHT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizeTest {

    @Test
    void parsesBothSpellingsIntoWidthAndHeight() {
        assertThat(Size.parse("320x256", WIDTH_BY_HEIGHT, "--size")).isEqualTo(new Size(320, 256));
        assertThat(Size.parse(" 256X320 ", HEIGHT_BY_WIDTH, "model.resolution"))
                .isEqualTo(new Size(320, 256));
        assertThat(new Size(320, 256).format(HEIGHT_BY_WIDTH)).isEqualTo("256x320");
        assertThat(new Size(320, 256).format(WIDTH_BY_HEIGHT)).isEqualTo("320x256");
    }

    @Test
    void namesTheOptionAndTheSpellingWhenWrong() {
        for (String bad :
                new String[] {"320", "320x", "x256", "320x256x3", "axb", "0x256", "-320x256", ""}) {
            assertThatThrownBy(() -> Size.parse(bad, WIDTH_BY_HEIGHT, "--camera-size"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--camera-size must be WIDTHxHEIGHT");
        }
        assertThatThrownBy(
                        () ->
                                Size.parse("250x320", HEIGHT_BY_WIDTH, "model.resolution")
                                        .requireMultipleOf(32, "model.resolution"))
                .hasMessageContaining("multiples of 32");
    }
}
