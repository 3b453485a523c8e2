package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code docs/reference/settings.md} says what {@link Setting} does: one row per setting, word for word. */
final class SettingsDocTest {
    private static final Path DOC = Path.of("..", "docs", "reference", "settings.md");

    @Test
    void the_settings_reference_has_one_row_per_setting_as_the_code_has_it() throws Exception {
        List<String> rows = Files.readAllLines(DOC).stream()
                .filter(l -> l.startsWith("| `--") || l.startsWith("| – |"))
                .toList();
        List<String> expected = java.util.Arrays.stream(Setting.values())
                .map(SettingsDocTest::row)
                .toList();
        assertThat(rows).containsExactlyElementsOf(expected);
    }

    @Test
    void the_usage_lists_every_flag_with_its_environment_variable_and_default() {
        String usage = Commands.usage().replaceAll("\\s+", " ");
        for (Setting s : Setting.values()) {
            assertThat(usage).contains(s.env).contains(s.defaultText);
            if (s.flag != null) {
                assertThat(usage).contains(s.flag);
            }
        }
    }

    private static String row(Setting s) {
        String flag = s.flag == null ? "–" : "`" + s.flag + " " + s.label + "`";
        String key = s.key == null ? "–" : "`" + s.key + "`";
        return "| " + flag + " | `" + s.env + "` | " + key + " | " + s.defaultText + " | " + s.description + " |";
    }
}
