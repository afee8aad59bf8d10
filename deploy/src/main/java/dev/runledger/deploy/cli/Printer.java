package dev.runledger.deploy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.runledger.schemas.json.AvroJson;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Prints JSON records as JSON, YAML or a plain-text table; tables show times ({@code *_at}) in
 * ISO-8601, JSON and YAML keep the API's epoch milliseconds.
 */
final class Printer {
  private static final int MAX_CELL = 60;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  private final PrintWriter out;
  private final OutputFormat format;

  Printer(final PrintWriter out, final OutputFormat format) {
    this.out = out;
    this.format = format;
  }

  /** A table column: a header and the JSON pointer of its value in each row. */
  record Column(String header, String pointer) {}

  /**
   * Columns written {@code HEADER=field HEADER=field …}: each a header and the top-level field of
   * the record it shows.
   */
  static List<Column> columns(final String spec) {
    return Arrays.stream(spec.trim().split("\\s+"))
        .map(column -> column.split("=", 2))
        .map(parts -> new Column(parts[0], "/" + parts[1]))
        .toList();
  }

  /** Prints one record; as a table, one line per top-level field. */
  void record(final JsonNode record) {
    switch (format) {
      case JSON -> out.println(json(record));
      case YAML -> out.print(yaml(record));
      case TABLE -> {
        final List<List<String>> rows = new ArrayList<>();
        for (final Map.Entry<String, JsonNode> field : record.properties()) {
          rows.add(
              List.of(field.getKey(), cell(field.getKey(), field.getValue(), Integer.MAX_VALUE)));
        }
        table(List.of("FIELD", "VALUE"), rows);
      }
    }
    out.flush();
  }

  /** Prints records; as a table, one line per record with the given columns. */
  void records(final List<JsonNode> records, final List<Column> columns) {
    switch (format) {
      case JSON -> {
        final ArrayNode array = AvroJson.mapper().createArrayNode();
        records.forEach(array::add);
        out.println(json(array));
      }
      case YAML -> {
        final ArrayNode array = AvroJson.mapper().createArrayNode();
        records.forEach(array::add);
        out.print(yaml(array));
      }
      case TABLE -> {
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode record : records) {
          final List<String> row = new ArrayList<>();
          columns.forEach(c -> row.add(cell(c.pointer(), record.at(c.pointer()), MAX_CELL)));
          rows.add(row);
        }
        table(columns.stream().map(Column::header).toList(), rows);
      }
    }
    out.flush();
  }

  /**
   * Prints a page {@code {items, next_cursor}}: as JSON or YAML the whole page; as a table its
   * items, then {@code more: --cursor X} when there is a next page.
   */
  void page(final JsonNode page, final List<Column> columns) {
    if (format != OutputFormat.TABLE) {
      record(page);
      return;
    }
    final List<JsonNode> items = new ArrayList<>();
    page.path("items").forEach(items::add);
    records(items, columns);
    final JsonNode next = page.path("next_cursor");
    if (next.isTextual() && !next.asText().isEmpty()) {
      out.println("more: --cursor " + next.asText());
    }
    out.flush();
  }

  /**
   * Prints one record of a stream as it arrives: as JSON one compact object per line, as YAML one
   * document each, as a table the line {@code text} makes of it.
   */
  void item(final JsonNode record, final Function<JsonNode, String> text) {
    switch (format) {
      case JSON -> out.println(record.toString());
      case YAML -> out.print("---\n" + yaml(record));
      case TABLE -> out.println(text.apply(record));
    }
    out.flush();
  }

  private void table(final List<String> headers, final List<List<String>> rows) {
    final int[] widths = new int[headers.size()];
    for (int i = 0; i < headers.size(); i++) {
      widths[i] = headers.get(i).length();
      for (final List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    line(headers, widths);
    rows.forEach(row -> line(row, widths));
  }

  private void line(final List<String> cells, final int[] widths) {
    final StringBuilder text = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      final String cell = cells.get(i);
      text.append(cell);
      if (i < cells.size() - 1) {
        text.append(" ".repeat(widths[i] - cell.length() + 2));
      }
    }
    out.println(text);
  }

  /**
   * A value as a table shows it: {@code -} for none, a time ({@code *_at}, epoch milliseconds) in
   * ISO-8601 in the local time zone, JSON for an object or array; at most {@code max} chars.
   */
  private static String cell(final String field, final JsonNode value, final int max) {
    final String text;
    if (value == null || value.isMissingNode() || value.isNull()) {
      text = "-";
    } else if (field.endsWith("_at") && value.isIntegralNumber()) {
      text = localTime(value.asLong());
    } else if (value.isValueNode()) {
      text = value.asText();
    } else {
      text = value.toString();
    }
    final String flat = text.replace('\n', ' ').replace('\r', ' ');
    return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
  }

  /** Epoch milliseconds as ISO-8601 in the local time zone, e.g. 2026-12-02T01:02:03.456+01:00. */
  static String localTime(final long epochMillis) {
    return TIME.format(Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault()));
  }

  private static String json(final JsonNode node) {
    try {
      return AvroJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (final JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String yaml(final JsonNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (final JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
