package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which key a camera adapts under, and bad scope options named. */
class AdaptationScopeTest {

    @Test
    void camerasAdaptAsAFleetOnTheirOwnOrInTheFirstGroupThatMatches() {
        assertThat(AdaptationScope.parse("fleet", "").keyOf("lobby-1")).isEmpty();
        assertThat(AdaptationScope.parse("Camera", null).keyOf("lobby-1")).isEqualTo("lobby-1");
        AdaptationScope groups =
                AdaptationScope.parse("group", "lobby=lobby-.*; yard=cam-(7|8);all=.*-1");
        assertThat(groups.keyOf("lobby-1")).isEqualTo("lobby");
        assertThat(groups.keyOf("cam-8")).isEqualTo("yard");
        assertThat(groups.keyOf("cam-81")).as("the whole id must match").isEqualTo("cam-81");
        assertThat(groups.keyOf("garage-1")).isEqualTo("all");
        assertThat(groups.isFleet()).isFalse();
    }

    @Test
    void badScopesAreNamed() {
        assertThatThrownBy(() -> AdaptationScope.parse("room", ""))
                .hasMessageContaining("fleet, camera or group")
                .hasMessageContaining("room");
        assertThatThrownBy(() -> AdaptationScope.parse("group", ""))
                .hasMessageContaining("needs camera groups");
        assertThatThrownBy(() -> AdaptationScope.parse("camera", "a=b"))
                .hasMessageContaining("scope group only");
        assertThatThrownBy(() -> AdaptationScope.parse("group", "lobby"))
                .hasMessageContaining("'lobby' is not name=regex");
        assertThatThrownBy(() -> AdaptationScope.parse("group", "lobby=(unclosed"))
                .hasMessageContaining("lobby has a bad regular expression");
        assertThatThrownBy(() -> AdaptationScope.parse("group", "a/b=x"))
                .hasMessageContaining("may not contain '/'");
    }
}
