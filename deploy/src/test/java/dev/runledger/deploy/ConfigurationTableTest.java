package dev.runledger.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.schemas.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's configuration tables (rows {@code | `key` | default | meaning |}) and the
 * setting definitions in step: every defined key is in a table with its default, and every key in a
 * table is defined. The settings of one external runner ({@code worker.runners.<kind>.<name>.*})
 * are documented in {@code docs/runner-protocol.md}; the README lists only the key that declares
 * each kind, and those must be defined too.
 */
class ConfigurationTableTest {
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z<][^`]*)` \\| ([^|]*) \\|");

  @Test
  void shouldListEveryDefinedKeyWithItsDefault() throws IOException {
    final Map<String, String> documented = readmeRows();
    final Map<String, String> defined = new TreeMap<>();
    for (final Setting<?> setting : LedgerSettings.ALL) {
      if (!setting.key().startsWith("worker.runners.") || documented.containsKey(setting.key())) {
        defined.put(setting.key(), shown(setting));
      }
    }

    assertThat(documented).containsAllEntriesOf(defined);
  }

  @Test
  void shouldDefineEveryKeyTheReadmeLists() throws IOException {
    final Map<String, String> documented = readmeRows();
    final Map<String, Setting<?>> defined = new LinkedHashMap<>();
    LedgerSettings.ALL.forEach(setting -> defined.put(setting.key(), setting));

    assertThat(defined.keySet()).containsAll(documented.keySet());
  }

  private static String shown(final Setting<?> setting) {
    return setting.shownDefault() == null ? "" : setting.shownDefault();
  }

  /** Key to default of every configuration table row, backticks removed. */
  private static Map<String, String> readmeRows() throws IOException {
    final Map<String, String> rows = new TreeMap<>();
    boolean inTable = false;
    for (final String line : Files.readAllLines(readme())) {
      if (line.startsWith("| key | default | meaning |")) {
        inTable = true;
      } else if (!line.startsWith("|")) {
        inTable = false;
      }
      final Matcher row = ROW.matcher(line);
      if (inTable && row.find()) {
        rows.put(row.group(1), row.group(2).strip().replace("`", ""));
      }
    }
    assertThat(rows).isNotEmpty();
    return rows;
  }

  private static Path readme() {
    final Path here = Path.of("README.md");
    return Files.exists(here) && Files.isDirectory(Path.of("deploy"))
        ? here
        : Path.of("..", "README.md");
  }
}
