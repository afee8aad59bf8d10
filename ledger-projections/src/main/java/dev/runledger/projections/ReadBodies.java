package dev.runledger.projections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.projections.query.EventPage;
import dev.runledger.projections.query.RunPage;
import dev.runledger.projections.query.SortedMerge;
import dev.runledger.projections.query.StatePage;
import dev.runledger.projections.query.TranscriptPage;
import dev.runledger.schemas.http.Cursors;
import dev.runledger.schemas.json.AvroJson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON bodies of the read API's answers: {@code {items}}, the pages with their {@link Cursors},
 * and the merge of the run lists of several instances.
 */
final class ReadBodies {
  private ReadBodies() {}

  /** {@code {items}}. */
  static ObjectNode items(final List<? extends SpecificRecord> records) {
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    final ArrayNode items = body.putArray("items");
    records.forEach(r -> items.add(AvroJson.toJson(r)));
    return body;
  }

  /** {@code {items, next_cursor}} of a run's events. */
  static ObjectNode events(final EventPage page) {
    return next(
        items(page.items()), page.nextAfter().stream().mapToObj(Cursors::encode).findFirst());
  }

  /**
   * {@code {items, next_cursor, prev_cursor, has_more}} of a transcript; an empty page read with
   * {@code after} keeps a {@code next_cursor} at the transcript's end.
   */
  static ObjectNode transcript(final TranscriptPage page) {
    final ObjectNode body = items(page.items());
    if (page.items().isEmpty()) {
      next(body, page.end().stream().mapToObj(Cursors::encode).findFirst());
      body.putNull("prev_cursor");
    } else {
      body.put("next_cursor", Cursors.encode(page.items().get(page.items().size() - 1).getSeq()));
      body.put("prev_cursor", Cursors.encode(page.items().get(0).getSeq()));
    }
    body.put("has_more", page.hasMore());
    return body;
  }

  /** {@code {items, next_cursor}} of this instance's runs. */
  static ObjectNode runs(final RunPage page) {
    return next(items(page.items()), page.nextPosition().map(Cursors::encodeRun));
  }

  /** {@code {items, next_cursor}} of a state scope's entries. */
  static ObjectNode states(final StatePage page) {
    return next(items(page.items()), page.nextAfter().map(Cursors::encodeKey));
  }

  /**
   * Merges the run pages of every instance (each newest first, at most {@code limit} long): newest
   * first, the first {@code limit}, with a {@code next_cursor} at the last of them when any
   * instance has more or the pages hold more than {@code limit} together.
   */
  static ObjectNode mergeRuns(final List<JsonNode> bodies, final int limit) {
    final List<Iterator<JsonNode>> pages = new ArrayList<>();
    boolean more = false;
    for (final JsonNode body : bodies) {
      pages.add(body.path("items").iterator());
      more |= body.path("next_cursor").isTextual();
    }
    final Iterator<JsonNode> merged =
        new SortedMerge<>(pages, Comparator.comparing(ReadBodies::position).reversed());
    final List<JsonNode> page = new ArrayList<>();
    while (merged.hasNext() && page.size() < limit) {
      page.add(merged.next());
    }
    more |= merged.hasNext();
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    body.putArray("items").addAll(page);
    return next(
        body,
        more && !page.isEmpty()
            ? Optional.of(Cursors.encodeRun(position(page.get(page.size() - 1))))
            : Optional.empty());
  }

  /** The body with {@code next_cursor}: the cursor given, or null. */
  private static ObjectNode next(final ObjectNode body, final Optional<String> cursor) {
    cursor.ifPresentOrElse(c -> body.put("next_cursor", c), () -> body.putNull("next_cursor"));
    return body;
  }

  private static String position(final JsonNode run) {
    final long created = run.path("created_at").isNumber() ? run.path("created_at").asLong() : 0;
    return ViewKeys.padded(created) + "/" + run.path("run_id").asText();
  }
}
