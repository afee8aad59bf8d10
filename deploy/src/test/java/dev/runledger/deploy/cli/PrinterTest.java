package dev.runledger.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.json.AvroJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrinterTest {
  private static final long CREATED = 1_764_640_923_456L;

  @Test
  void shouldPrintLocalTimesInTablesAndEpochMillisInJsonWhenAFieldIsATime() throws Exception {
    // given
    final JsonNode run = run("r-1");

    // when
    final String table = print(OutputFormat.TABLE, p -> p.record(run));
    final String json = print(OutputFormat.JSON, p -> p.record(run));

    // then
    final String shown =
        table.lines().filter(l -> l.startsWith("created_at")).findFirst().orElseThrow();
    final String time = shown.substring("created_at".length()).strip();
    assertThat(time)
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.456(Z|[+-]\\d\\d:\\d\\d)");
    assertThat(OffsetDateTime.parse(time).toInstant()).isEqualTo(Instant.ofEpochMilli(CREATED));
    assertThat(table).contains("attempt     1");
    assertThat(AvroJson.mapper().readTree(json).path("created_at").asLong()).isEqualTo(CREATED);
  }

  @Test
  void shouldEndTheTableWithTheCursorHintWhenThePageHasANextCursor() throws Exception {
    // given
    final ObjectNode page = AvroJson.mapper().createObjectNode();
    page.putArray("items").add(run("r-1"));
    page.put("next_cursor", "c-42");
    final List<Printer.Column> columns = Printer.columns("RUN=run_id CREATED=created_at");

    // when
    final String table = print(OutputFormat.TABLE, p -> p.page(page, columns));
    final String json = print(OutputFormat.JSON, p -> p.page(page, columns));
    page.putNull("next_cursor");
    final String last = print(OutputFormat.TABLE, p -> p.page(page, columns));

    // then
    assertThat(table.lines().toList()).last().isEqualTo("more: --cursor c-42");
    assertThat(table.lines().toList().get(1)).startsWith("r-1  ").doesNotContain(" " + CREATED);
    assertThat(AvroJson.mapper().readTree(json))
        .isEqualTo(page.deepCopy().put("next_cursor", "c-42"));
    assertThat(last).doesNotContain("more:");
  }

  @Test
  void shouldPrintOneRecordPerLineOrDocumentWhenStreaming() throws Exception {
    // when
    final String json =
        print(
            OutputFormat.JSON,
            p -> {
              p.item(run("r-1"), r -> "text");
              p.item(run("r-2"), r -> "text");
            });
    final String yaml = print(OutputFormat.YAML, p -> p.item(run("r-1"), r -> "text"));
    final String text = print(OutputFormat.TABLE, p -> p.item(run("r-1"), r -> "text"));

    // then
    assertThat(json.lines().map(PrinterTest::parse).map(r -> r.path("run_id").asText()))
        .containsExactly("r-1", "r-2");
    assertThat(yaml).startsWith("---\n").contains("run_id: \"r-1\"");
    assertThat(text).isEqualTo("text" + System.lineSeparator());
  }

  private static ObjectNode run(final String runId) {
    return AvroJson.mapper()
        .createObjectNode()
        .put("run_id", runId)
        .put("attempt", 1)
        .put("created_at", CREATED);
  }

  private static JsonNode parse(final String line) {
    try {
      return AvroJson.mapper().readTree(line);
    } catch (final Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  private static String print(
      final OutputFormat format, final java.util.function.Consumer<Printer> printing) {
    final StringWriter out = new StringWriter();
    printing.accept(new Printer(new PrintWriter(out), format));
    return out.toString();
  }
}
