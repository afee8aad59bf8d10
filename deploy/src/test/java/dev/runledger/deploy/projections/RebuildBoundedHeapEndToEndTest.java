package dev.runledger.deploy.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.deploy.LedgerCli;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicWriter;
import dev.runledger.projections.ProjectionTopology;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ledger rebuild} on the real broker of a ledger larger than its heap: {@value #RUNS} runs,
 * each with a {@value #TEXT_BYTES}-byte assistant message (≈ 60 MiB of messages, held twice by an
 * in-memory fold: in the run's {@code final_message} and in its {@code message.completed} event),
 * rebuilt in a child JVM with {@value #HEAP}. It succeeds, its digests equal the live ones, and it
 * leaves no store behind.
 */
class RebuildBoundedHeapEndToEndTest {
  static final int RUNS = 1_500;
  static final int TEXT_BYTES = 40 * 1024;
  static final String HEAP = "-Xmx64m";

  /** Each run's records: created, claimed, its message, completed. */
  private static final int RECORDS_PER_RUN = 4;

  @RegisterExtension
  static final TestStack STACK = StackBuilder.named("rebuild").withoutWorker().build();

  @Test
  void shouldRebuildEqualToLiveWhenTheLedgerIsLargerThanTheHeap() throws Exception {
    // given a ledger of RUNS runs with large messages, all folded by the live views
    writeLedger();
    Awaitility.await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> liveCount(ProjectionTopology.RUN_EVENTS_STORE),
            count -> count == (long) RUNS * RECORDS_PER_RUN);

    // when the rebuild runs in a JVM whose heap could not hold the views
    final Path state = STACK.dir().resolve("rebuild-state");
    final Path log = STACK.dir().resolve("rebuild.log");
    final Process rebuild = rebuildProcess(state, log);
    final boolean exited = rebuild.waitFor(5, TimeUnit.MINUTES);
    final String output = Files.readString(log, StandardCharsets.UTF_8);

    // then
    assertThat(exited).as(output).isTrue();
    assertThat(rebuild.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("rebuild equals live")
        .doesNotContain("OutOfMemoryError")
        .contains(liveDigest(ProjectionTopology.RUN_EVENTS_STORE))
        .contains(liveDigest(ProjectionTopology.RUNS_STORE));
    assertThat(liveCount(ProjectionTopology.RUNS_STORE)).isEqualTo(RUNS);
    try (var left = Files.list(state)) {
      assertThat(left).as("the rebuild's stores are deleted").isEmpty();
    }
  }

  private static void writeLedger() {
    final String text = "x".repeat(TEXT_BYTES);
    final Instant t = Instant.now();
    final int batch = 100;
    for (int first = 0; first < RUNS; first += batch) {
      final List<LedgerRecord> records = new ArrayList<>();
      for (int i = first; i < Math.min(RUNS, first + batch); i++) {
        final String run = "big-" + i;
        records.add(rec(run, 0, 1, t, TopicWriter.runCreated(run, "w-big", null, t)));
        records.add(rec(run, 1, 1, t, new RunClaimed("w-1", 1, null)));
        records.add(
            rec(
                run,
                1,
                2,
                t,
                TopicWriter.result(
                    "message.completed",
                    new MessageCompleted(new ChatMessage("assistant", text)))));
        records.add(
            rec(
                run,
                1,
                3,
                t,
                TopicWriter.result("run.completed", new RunCompleted("stop", null, List.of()))));
      }
      TopicWriter.write(
          STACK.config(), STACK.topics().runLedger(), LedgerRecord::getRunId, records);
    }
  }

  private static LedgerRecord rec(
      final String run, final int attempt, final long seq, final Instant at, final Object body) {
    return TopicWriter.ledgerRecord(run, attempt, seq, at, body)
        .setProducer(attempt == 0 ? "orchestrator" : "w-" + attempt)
        .build();
  }

  /** {@code ledger rebuild} in a child JVM with {@value #HEAP}, its output into {@code log}. */
  private static Process rebuildProcess(final Path state, final Path log) throws IOException {
    final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    final List<String> command =
        new ArrayList<>(
            List.of(
                java,
                HEAP,
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                LedgerCli.class.getName(),
                "rebuild",
                "--url",
                STACK.stack().baseUrl(),
                "--set",
                LedgerConfig.STATE_DIR + "=" + state));
    command.addAll(STACK.kafkaArgs());
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static String liveDigest(final String view) {
    final JsonNode digests = STACK.api().find(ApiPaths.DIGESTS);
    return digests == null ? ViewDigest.EMPTY.text() : digests.path(view).asText("0:0");
  }

  private static long liveCount(final String view) {
    return ViewDigest.parse(liveDigest(view)).count();
  }
}
