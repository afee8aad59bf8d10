package dev.runledger.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.schemas.json.AvroJson;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger bench} runs every phase against a real broker and reports every figure. It asserts
 * what the report contains and that the runs really completed, never how fast anything was.
 */
@ExtendWith(KafkaExtension.class)
class BenchCommandTest {

  @Test
  void shouldMeasureEveryPhaseAndWriteTheFiguresAsJson(
      final TestBroker kafka, @TempDir final Path dir) throws Exception {
    // when a tiny bench runs on the shared broker
    final Path out = dir.resolve("bench.json");
    final Cli.Result result =
        Cli.run(
            "bench",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--records",
            "2000",
            "--raw-rate",
            "500",
            "--runs",
            "40",
            "--rate",
            "10",
            "--seconds",
            "2",
            "--stream-runs",
            "5",
            "--history",
            "2000",
            "--concurrent",
            "20",
            "--concurrent-hold",
            "2",
            "--out",
            out.toString(),
            "--profile",
            dir.resolve("bench.jfr").toString());

    // then it printed and wrote the baseline, both pipeline phases and the ratios
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out())
        .contains(
            "raw kafka:",
            "saturation:",
            "fixed load:",
            "first delta:",
            "rebuild:",
            "concurrent:",
            "history:",
            "restore:",
            "ratios:");
    final JsonNode report = AvroJson.mapper().readTree(out.toFile());
    assertThat(report.at("/raw_kafka/records").asInt()).isEqualTo(2000);
    assertThat(report.at("/raw_kafka/producedPerSecond").asDouble()).isPositive();
    assertThat(report.at("/raw_kafka/p99Millis").asDouble()).isNotNaN();
    assertThat(report.at("/pipeline_saturation/runs").asInt()).isEqualTo(40);
    // the held runs ran on the one worker (how many at once depends on timing), threads reported
    assertThat(report.at("/concurrent/runs").asInt()).isEqualTo(20);
    assertThat(report.at("/concurrent/mostRunning").asInt()).isBetween(1, 20);
    assertThat(report.at("/concurrent/mostThreads").asInt()).isPositive();
    assertThat(report.at("/pipeline_fixed_load/runs").asInt()).isEqualTo(20);
    // every echo run writes at least RunCreated, RunClaimed, a message and run.completed
    final JsonNode saturated = report.at("/pipeline_saturation");
    assertThat(saturated.path("ledgerRecordsPerRun").asDouble()).isGreaterThanOrEqualTo(4.0);
    // each run timed to the ledger and to the view, both rates reported
    assertThat(saturated.path("ledgerRunsPerSecond").asDouble()).isPositive();
    assertThat(saturated.path("viewRunsPerSecond").asDouble()).isPositive();
    assertThat(saturated.path("ledger_latency_p50Millis").asDouble()).isNotNaN().isPositive();
    assertThat(saturated.path("view_latency_p99Millis").asDouble()).isNotNaN().isPositive();
    // what Kafka took: at least the ledger records, counted per topic, with the orchestrator's
    // changelogs among the topics and at least one commit of a Streams app
    assertThat(saturated.path("kafkaRecordsPerRun").asDouble())
        .isGreaterThan(saturated.path("ledgerRecordsPerRun").asDouble());
    assertThat(saturated.at("/topics/run-ledger/records").asLong()).isGreaterThanOrEqualTo(160);
    assertThat(saturated.path("topics").fieldNames())
        .toIterable()
        .anyMatch(topic -> topic.startsWith("orchestrator-") && topic.endsWith("-changelog"));
    assertThat(saturated.path("markersPerRun").asDouble()).isPositive();
    assertThat(saturated.path("streamsCommitsPerRun").asDouble()).isPositive();
    assertThat(report.path("rebuild_ledger_records_per_s").asDouble()).isPositive();
    // every streaming run's first delta reached its SSE client (measure() fails otherwise)
    assertThat(report.at("/first_delta_on_sse/p99Millis").asDouble()).isNotNaN().isPositive();
    // the projections restored their changelogs into empty stores: at least the runs' views
    assertThat(report.at("/projections_restore/records").asLong()).isGreaterThanOrEqualTo(40);
    assertThat(report.at("/projections_restore/recordsPerSecond").asDouble()).isPositive();
    assertThat(report.at("/ratios/fixed_load_view_p99_to_raw_p99").asDouble()).isPositive();
    assertThat(report.at("/ratios/rebuild_to_raw_consumed_per_s").asDouble()).isPositive();
    // the history was folded, listed whole by next_cursor, every page kind timed, and rebuilt
    // in a child JVM with a 256 MiB heap with digests equal to live
    final JsonNode history = report.path("history");
    assertThat(history.path("runs").asInt()).isEqualTo(2000);
    assertThat(history.path("foldRecordsPerSecond").asDouble()).isPositive();
    assertThat(history.path("runsListed").asLong()).isGreaterThanOrEqualTo(2000);
    for (final String page :
        List.of(
            "runs_first_page",
            "runs_deep_page",
            "transcript_page",
            "state_page",
            "run_events_page")) {
      assertThat(history.path(page + "_p99Millis").asDouble()).as(page).isNotNaN().isPositive();
    }
    assertThat(history.path("rebuildSucceeded").asBoolean())
        .as(history.path("rebuildOutput").asText())
        .isTrue();
    assertThat(history.path("rebuildDigestsEqual").asBoolean()).isTrue();
    assertThat(history.path("rebuildRecordsPerSecond").asDouble()).isPositive();
    assertThat(history.at("/ratios/deep_page_p99_to_first_page_p99").asDouble()).isPositive();
    // and the profile of the saturation phase was written and summarised
    assertThat(dir.resolve("bench.jfr")).isNotEmptyFile();
    assertThat(report.path("profile_top_methods").size()).isPositive();
  }
}
