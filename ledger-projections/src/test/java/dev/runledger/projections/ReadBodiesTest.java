package dev.runledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.schemas.http.Cursors;
import dev.runledger.schemas.json.AvroJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The merge of the run pages of several instances. */
class ReadBodiesTest {

  @Test
  void shouldMergeInstancePagesNewestFirstAndPointTheCursorAtTheLastRunReturned() {
    // given two instances' pages of three, newest first
    final JsonNode a = page(true, run("a9", 9), run("a7", 7), run("a4", 4));
    final JsonNode b = page(false, run("b8", 8), run("b5", 5), run("b1", 1));

    // when
    final ObjectNode merged = ReadBodies.mergeRuns(List.of(a, b), 3);

    // then
    assertThat(ids(merged)).containsExactly("a9", "b8", "a7");
    assertThat(merged.get("next_cursor").asText())
        .isEqualTo(Cursors.encodeRun(ViewKeys.padded(7) + "/a7"));
  }

  @Test
  void shouldEndWithoutCursorWhenNoInstanceHasMoreAndAllFit() {
    // when
    final ObjectNode merged =
        ReadBodies.mergeRuns(
            List.of(page(false, run("a2", 2)), page(false, run("b3", 3), run("b1", 1))), 3);

    // then
    assertThat(ids(merged)).containsExactly("b3", "a2", "b1");
    assertThat(merged.get("next_cursor").isNull()).isTrue();
  }

  @Test
  void shouldKeepACursorWhenAnInstanceHasMoreEvenIfThePageIsNotFull() {
    // when
    final ObjectNode merged =
        ReadBodies.mergeRuns(List.of(page(true, run("a2", 2)), page(false)), 3);

    // then
    assertThat(ids(merged)).containsExactly("a2");
    assertThat(merged.get("next_cursor").isTextual()).isTrue();
  }

  @Test
  void shouldOrderRunsOfTheSameTimeByRunIdDescendingLikeTheIndex() {
    // when
    final ObjectNode merged =
        ReadBodies.mergeRuns(
            List.of(page(false, run("r-b", 5), run("r-a", 5)), page(false, run("r-c", 5))), 10);

    // then
    assertThat(ids(merged)).containsExactly("r-c", "r-b", "r-a");
  }

  private static JsonNode page(final boolean more, final JsonNode... runs) {
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    body.putArray("items").addAll(List.of(runs));
    if (more) {
      body.put("next_cursor", "more");
    } else {
      body.putNull("next_cursor");
    }
    return body;
  }

  private static JsonNode run(final String id, final long created) {
    return AvroJson.mapper().createObjectNode().put("run_id", id).put("created_at", created);
  }

  private static List<String> ids(final JsonNode body) {
    final List<String> ids = new ArrayList<>();
    body.get("items").forEach(r -> ids.add(r.get("run_id").asText()));
    return ids;
  }
}
