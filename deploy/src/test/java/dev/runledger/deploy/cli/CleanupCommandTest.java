package dev.runledger.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.json.AvroJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanupCommandTest {

  @Test
  void shouldTakeTheRunsThatFinishedFirstWhenMoreThanTheLimitQualify() {
    // given: finished runs as the listing gives them, newest first
    final List<JsonNode> listed =
        List.of(run("r-newest", 5_000), run("r-3", 4_000), run("r-1", 1_000), run("r-2", 2_000));

    // when
    final List<String> taken = CleanupCommand.oldest(listed, 2);

    // then
    assertThat(taken).containsExactly("r-1", "r-2");
  }

  private static JsonNode run(final String runId, final long finishedAt) {
    return AvroJson.mapper()
        .createObjectNode()
        .put("run_id", runId)
        .put("status", "completed")
        .put("finished_at", finishedAt);
  }
}
