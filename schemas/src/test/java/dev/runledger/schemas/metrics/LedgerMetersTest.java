package dev.runledger.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.EventView;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.SteeringQueued;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LedgerMetersTest {
  private static final Instant EVENT_TIME = Instant.parse("2026-01-01T00:00:00Z");
  private static final String RUNNER = "builtin:echo/default";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void join() {
    Metrics.addRegistry(registry);
  }

  @AfterEach
  void leave() {
    Metrics.removeRegistry(registry);
  }

  @Test
  void shouldCountEachTerminalByStatusAndCodeWithBothDurations() {
    // given
    final Instant started = EVENT_TIME.plusSeconds(1);

    // when
    LedgerMeters.ifTerminal(
        record(new RunCompleted("stop", null, List.of()), EVENT_TIME.plusSeconds(3)),
        RUNNER,
        started,
        event());
    LedgerMeters.ifTerminal(
        record(new RunFailed("boom", "x", false, List.of()), EVENT_TIME.plusSeconds(4)),
        RUNNER,
        null,
        event());
    LedgerMeters.ifTerminal(
        record(
            new RunFailed(LedgerMeters.CANCELLED, "x", false, List.of()),
            EVENT_TIME.plusSeconds(5)),
        RUNNER,
        started,
        event());
    LedgerMeters.ifTerminal(record(null, EVENT_TIME.plusSeconds(6)), RUNNER, started, event());

    // then
    assertThat(ended("completed", "none")).isEqualTo(1.0);
    assertThat(ended("failed", "boom")).isEqualTo(1.0);
    assertThat(ended("cancelled", "cancelled")).isEqualTo(1.0);
    assertThat(registry.get(LedgerMeters.RUNS_ENDED).counters()).hasSize(3);
    final Timer duration =
        registry.get(LedgerMeters.RUN_DURATION).tag("status", "completed").timer();
    assertThat(duration.totalTime(TimeUnit.SECONDS)).isEqualTo(2.0);
    assertThat(registry.find(LedgerMeters.RUN_DURATION).tag("status", "failed").timer()).isNull();
    assertThat(
            registry
                .get(LedgerMeters.EVENT_TO_TERMINAL)
                .tag("status", "failed")
                .timer()
                .totalTime(TimeUnit.SECONDS))
        .isEqualTo(4.0);
  }

  @Test
  void shouldLabelEnumsInLowerCaseAndMissingValuesAsNone() {
    assertThat(LedgerMeters.label(TimeUnit.SECONDS)).isEqualTo("seconds");
    assertThat(LedgerMeters.label(null)).isEqualTo(LedgerMeters.NONE);
    assertThat(LedgerMeters.label(" ")).isEqualTo(LedgerMeters.NONE);
    assertThat(LedgerMeters.label("t-Prefix.host-events")).isEqualTo("t-Prefix.host-events");
  }

  @Test
  void shouldNameSeriesAsPrometheusShowsThem() {
    assertThat(LedgerMeters.prometheusSeries())
        .contains(
            "runledger_events_received_total",
            "runledger_created_runs_total",
            "runledger_run_duration_seconds_bucket",
            "runledger_worker_slots_free",
            "kafka_consumer_fetch_manager_records_lag_max")
        .noneMatch(name -> name.contains("."));
  }

  private double ended(final String status, final String code) {
    return registry
        .get(LedgerMeters.RUNS_ENDED)
        .tag("runner", RUNNER)
        .tag("status", status)
        .tag("code", code)
        .counter()
        .count();
  }

  private static LedgerRecord record(final Object payload, final Instant at) {
    return LedgerRecord.newBuilder()
        .setRunId("r1")
        .setAttempt(1)
        .setSequence(2)
        .setTimestamp(at)
        .setProducer("w1")
        .setBody(
            payload == null
                ? new SteeringQueued()
                : new AgentRunResult(
                    payload instanceof RunCompleted ? "run.completed" : "run.failed", payload))
        .build();
  }

  private static EventView event() {
    return EventView.newBuilder()
        .setEventId("e1")
        .setEventType("message.received")
        .setEventTime(EVENT_TIME)
        .setWorkspaceId("w")
        .build();
  }
}
