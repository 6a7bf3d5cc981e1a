package io.scenestream.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every job option as JobOptions defines it. */
class ConfigurationDocsTest {

    private static final Path PAGE = Path.of("..", "docs", "configuration.md");

    @Test
    void theConfigurationPageIsUpToDate() throws Exception {
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);
        List<ConfigOption<?>> options = ConfigurationDocs.options();
        assertThat(options).hasSizeGreaterThan(40);
        assertThat(ConfigurationDocs.render(page, options))
                .as("docs/configuration.md is stale: run bin/scenestream-config-docs")
                .isEqualTo(page);
        for (ConfigOption<?> o : options) {
            assertThat(page).contains("| `" + o.key() + "` |");
        }
    }

    @Test
    void rowsComeFromTheOptionsAndEveryOptionNeedsATable() {
        ConfigOption<Integer> a =
                ConfigOptions.key("a.size").intType().defaultValue(3).withDescription("A | size.");
        ConfigOption<String> b =
                ConfigOptions.key("b.name").stringType().noDefaultValue().withDescription("B.");
        String page =
                "intro\n<!-- options: a. -->\nold\n<!-- /options -->\nmiddle\n<!-- options: b. -->\n<!-- /options -->\n";
        assertThat(ConfigurationDocs.render(page, List.of(a, b)))
                .isEqualTo(
                        "intro\n<!-- options: a. -->\n| option | default | description |\n| --- | --- | --- |\n"
                                + "| `a.size` | `3` | A \\| size. |\n<!-- /options -->\nmiddle\n<!-- options: b. -->\n"
                                + "| option | default | description |\n| --- | --- | --- |\n| `b.name` | — | B. |\n"
                                + "<!-- /options -->\n");
        assertThatThrownBy(
                        () ->
                                ConfigurationDocs.render(
                                        "<!-- options: a. -->\n<!-- /options -->\n", List.of(a, b)))
                .hasMessageContaining("b.name falls in no table");
    }
}
