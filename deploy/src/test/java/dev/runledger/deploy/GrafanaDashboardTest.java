package dev.runledger.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runledger.schemas.metrics.LedgerMeters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/grafana/runledger.json} (README "Metrics") parses, queries only series runledger
 * registers ({@link LedgerMeters}), and shows every one of them; the README lists each with its
 * labels.
 */
class GrafanaDashboardTest {
  /** A series name in a PromQL expression: runledger's own and the Kafka binders'. */
  private static final Pattern SERIES = Pattern.compile("\\b((?:runledger|kafka)_[a-z0-9_]+)\\b");

  @Test
  void shouldQueryOnlySeriesTheCodeRegistersAndShowEveryMeter() throws IOException {
    // given
    final JsonNode dashboard = new ObjectMapper().readTree(Files.readString(dashboard()));

    // when
    final List<String> expressions = new ArrayList<>();
    dashboard.path("panels").forEach(panel -> collect(panel, expressions));
    final Set<String> queried = new TreeSet<>();
    for (final String expression : expressions) {
      final Matcher m = SERIES.matcher(expression);
      while (m.find()) {
        queried.add(m.group(1));
      }
    }

    // then
    assertThat(dashboard.path("title").asText()).isEqualTo("runledger");
    assertThat(expressions).isNotEmpty();
    assertThat(LedgerMeters.prometheusSeries()).containsAll(queried);
    for (final LedgerMeters.Meter meter : LedgerMeters.ALL) {
      assertThat(queried)
          .as("a panel shows %s", meter.prometheusName())
          .anyMatch(meter.series()::contains);
    }
  }

  @Test
  void shouldListEveryMeterInTheReadmesMetricsSection() throws IOException {
    // given
    final Path here = Path.of("README.md");
    final String readme = Files.readString(Files.exists(here) ? here : Path.of("..", "README.md"));

    // when
    final String section =
        readme.substring(readme.indexOf("## Metrics"), readme.indexOf("## Configure"));

    // then
    for (final LedgerMeters.Meter meter : LedgerMeters.ALL) {
      assertThat(section).contains("`" + meter.series().get(0).replaceAll("_bucket$", "") + "`");
      meter.tags().forEach(tag -> assertThat(section).contains("`" + tag + "`"));
    }
    assertThat(section).contains("deploy/grafana/runledger.json");
  }

  /** Every query of the panel and of the panels it holds (a row). */
  private static void collect(final JsonNode panel, final List<String> expressions) {
    if (!"row".equals(panel.path("type").asText())) {
      assertThat(panel.path("targets").isEmpty())
          .as("panel '%s' has a query", panel.path("title").asText())
          .isFalse();
    }
    panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText()));
    panel.path("panels").forEach(inner -> collect(inner, expressions));
  }

  private static Path dashboard() {
    final Path dir = Files.isDirectory(Path.of("grafana")) ? Path.of(".") : Path.of("deploy");
    return dir.resolve("grafana").resolve("runledger.json");
  }
}
