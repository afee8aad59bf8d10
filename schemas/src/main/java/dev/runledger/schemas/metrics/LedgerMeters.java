package dev.runledger.schemas.metrics;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.EventView;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The run metrics every module records (README "Metrics"): their names, tags and the one way to
 * record them. Each module counts into Micrometer's global registry ({@link
 * Metrics#globalRegistry}), to which a process's Prometheus registry (deploy's {@code Metrics}) is
 * added while it runs, so {@code GET /metrics} of every service shows what that process's parts
 * recorded; nothing has to be passed through constructors or Kafka Streams configuration. Names are
 * Micrometer's dotted form; {@link #prometheusSeries()} gives what Prometheus sees.
 */
public final class LedgerMeters {
  /** Events the gateway accepted (202) and wrote to {@code host-events}. */
  public static final String EVENTS_RECEIVED = "runledger.events.received";

  /** Decisions the orchestrator wrote, tags {@code decision} and {@code reason}. */
  public static final String EVENTS_DECIDED = "runledger.events.decided";

  /**
   * Runs the orchestrator created (RunCreated + StartRun), tag {@code pool}. Not {@code
   * runs.created}: Prometheus reserves the {@code _created} suffix and its client would strip it.
   */
  public static final String RUNS_CREATED = "runledger.created.runs";

  /** Attempts a worker started, tag {@code runner}. */
  public static final String RUNS_STARTED = "runledger.runs.started";

  /** Attempts a worker ended with a terminal, tags {@code runner}, {@code status}, {@code code}. */
  public static final String RUNS_ENDED = "runledger.runs.ended";

  /** Histogram: from an attempt's start to its terminal, tags {@code runner}, {@code status}. */
  public static final String RUN_DURATION = "runledger.run.duration";

  /** Histogram: from the event's {@code event_time} to the run's terminal, tag {@code status}. */
  public static final String EVENT_TO_TERMINAL = "runledger.run.event_to_terminal";

  /** Gauge: runs executing on a worker, tags {@code worker}, {@code pool}. */
  public static final String WORKER_RUNS_IN_FLIGHT = "runledger.worker.runs.in_flight";

  /** Gauge: a worker's slots not running a run, tags {@code worker}, {@code pool}. */
  public static final String WORKER_SLOTS_FREE = "runledger.worker.slots.free";

  /**
   * Gauge: the broker's lag of a share group on a topic (records from the share-partition start
   * offset to the end, summed over partitions), tags {@code group}, {@code topic}.
   */
  public static final String SHARE_GROUP_LAG = "runledger.worker.share_group.lag";

  /** Records written to the {@code dlq} topic, tag {@code topic} (where the record was read). */
  public static final String DLQ_RECORDS = "runledger.dlq.records";

  /** Host-API calls a run made, tags {@code method}, {@code outcome} (allowed|denied|failed). */
  public static final String HOST_API_CALLS = "runledger.host_api.calls";

  /** Host-API requests refused before reaching a run (bad token, ended attempt), tag reason. */
  public static final String HOST_API_REFUSED = "runledger.worker.host_api.denied";

  /** HTTP requests refused 401 or 403, tags {@code status}, {@code reason}. */
  public static final String AUTH_DENIED = "runledger.http.auth.denied";

  /** Gauge: 1 while a service is healthy, tag {@code service}. */
  public static final String SERVICE_UP = "runledger.service.up";

  /**
   * Gauge from Micrometer's Kafka binders on each Kafka Streams app and the worker's run-control
   * reader: a consumer's largest lag over its partitions (tags {@code service}, {@code client_id},
   * …).
   */
  public static final String CONSUMER_LAG_MAX = "kafka.consumer.fetch.manager.records.lag.max";

  /** Gauge from the same binder: the consumer's lag per partition (tags {@code topic}, …). */
  public static final String CONSUMER_LAG = "kafka.consumer.fetch.manager.records.lag";

  /** The failure code of a cancelled run (the worker's {@code FailureCodes.CANCELLED}). */
  static final String CANCELLED = "cancelled";

  /** The label value of a tag that does not apply (no reason, no failure code). */
  public static final String NONE = "none";

  /** Meters registered for as long as their owner runs; closing removes them. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** The kinds of meter, as Prometheus names their series. */
  public enum Kind {
    COUNTER,
    GAUGE,
    TIMER
  }

  /** One meter: its name, kind and tag keys. */
  public record Meter(String name, Kind kind, List<String> tags) {
    /** The Prometheus base name, e.g. {@code runledger_run_duration_seconds}. */
    public String prometheusName() {
      final String base = name.replace('.', '_');
      return kind == Kind.TIMER ? base + "_seconds" : base;
    }

    /** The series Prometheus shows, e.g. {@code runledger_events_received_total}. */
    public List<String> series() {
      final String base = prometheusName();
      return switch (kind) {
        case COUNTER -> List.of(base + "_total");
        case GAUGE -> List.of(base);
        case TIMER -> List.of(base + "_bucket", base + "_count", base + "_sum", base + "_max");
      };
    }
  }

  /** Every meter runledger records or binds, in README order. */
  public static final List<Meter> ALL =
      List.of(
          new Meter(EVENTS_RECEIVED, Kind.COUNTER, List.of()),
          new Meter(EVENTS_DECIDED, Kind.COUNTER, List.of("decision", "reason")),
          new Meter(RUNS_CREATED, Kind.COUNTER, List.of("pool")),
          new Meter(RUNS_STARTED, Kind.COUNTER, List.of("runner")),
          new Meter(RUNS_ENDED, Kind.COUNTER, List.of("runner", "status", "code")),
          new Meter(RUN_DURATION, Kind.TIMER, List.of("runner", "status")),
          new Meter(EVENT_TO_TERMINAL, Kind.TIMER, List.of("status")),
          new Meter(WORKER_RUNS_IN_FLIGHT, Kind.GAUGE, List.of("worker", "pool")),
          new Meter(WORKER_SLOTS_FREE, Kind.GAUGE, List.of("worker", "pool")),
          new Meter(SHARE_GROUP_LAG, Kind.GAUGE, List.of("group", "topic")),
          new Meter(CONSUMER_LAG_MAX, Kind.GAUGE, List.of("service", "client_id")),
          new Meter(
              CONSUMER_LAG, Kind.GAUGE, List.of("service", "client_id", "topic", "partition")),
          new Meter(DLQ_RECORDS, Kind.COUNTER, List.of("topic")),
          new Meter(HOST_API_CALLS, Kind.COUNTER, List.of("method", "outcome")),
          new Meter(HOST_API_REFUSED, Kind.COUNTER, List.of("reason")),
          new Meter(AUTH_DENIED, Kind.COUNTER, List.of("status", "reason")),
          new Meter(SERVICE_UP, Kind.GAUGE, List.of("service")));

  /** Histogram buckets of both latency histograms: 10 ms to 30 min. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10),
    Duration.ofMinutes(30)
  };

  /** How often the Kafka binders look for new client metrics. */
  private static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(10);

  private LedgerMeters() {}

  /** Every Prometheus series name of {@link #ALL}. */
  public static Set<String> prometheusSeries() {
    final Set<String> names = new LinkedHashSet<>();
    ALL.forEach(meter -> names.addAll(meter.series()));
    return names;
  }

  private static MeterRegistry registry() {
    return Metrics.globalRegistry;
  }

  /** Counts an event the gateway wrote. */
  public static void eventReceived() {
    Counter.builder(EVENTS_RECEIVED)
        .description("events accepted and written to host-events")
        .register(registry())
        .increment();
  }

  /** Counts a decision of kind {@code decision} (e.g. {@code RUN_CREATED}), reason or null. */
  public static void eventDecided(final Object decision, final String reason) {
    Counter.builder(EVENTS_DECIDED)
        .description("dispatch decisions written, by decision and reason")
        .tag("decision", label(decision))
        .tag("reason", label(reason))
        .register(registry())
        .increment();
  }

  /** Counts a run created in {@code pool}. */
  public static void runCreated(final String pool) {
    Counter.builder(RUNS_CREATED)
        .description("runs created by the orchestrator, by pool")
        .tag("pool", label(pool))
        .register(registry())
        .increment();
  }

  /** Counts an attempt of {@code runner} started on a worker. */
  public static void runStarted(final String runner) {
    Counter.builder(RUNS_STARTED)
        .description("attempts started on a worker, by runner")
        .tag("runner", label(runner))
        .register(registry())
        .increment();
  }

  /**
   * Counts an attempt's terminal and records its duration (from {@code started}, nothing when null)
   * and the time since its event ({@code sinceEvent}, nothing when null).
   *
   * @param status completed, failed or cancelled
   * @param code the failure code, or null for a completed run
   */
  public static void runEnded(
      final String runner,
      final String status,
      final String code,
      final Duration duration,
      final Duration sinceEvent) {
    Counter.builder(RUNS_ENDED)
        .description("attempts ended with a terminal, by runner, status and failure code")
        .tag("runner", label(runner))
        .tag("status", label(status))
        .tag("code", label(code))
        .register(registry())
        .increment();
    if (duration != null) {
      Timer.builder(RUN_DURATION)
          .description("from an attempt's start to its terminal")
          .serviceLevelObjectives(BUCKETS)
          .tag("runner", label(runner))
          .tag("status", label(status))
          .register(registry())
          .record(positive(duration));
    }
    if (sinceEvent != null) {
      Timer.builder(EVENT_TO_TERMINAL)
          .description("from the event's event_time to the run's terminal")
          .serviceLevelObjectives(BUCKETS)
          .tag("status", label(status))
          .register(registry())
          .record(positive(sinceEvent));
    }
  }

  /**
   * Counts {@code record} of an attempt of {@code runner} when it is the attempt's terminal ({@code
   * run.completed} or {@code run.failed}; status {@code cancelled} for code {@value #CANCELLED}),
   * with the time since {@code startedAt} (null: not measured) and since the event's {@code
   * event_time}.
   */
  public static void ifTerminal(
      final LedgerRecord record,
      final String runner,
      final Instant startedAt,
      final EventView event) {
    if (!(record.getBody() instanceof AgentRunResult result)) {
      return;
    }
    final String status;
    String code = null;
    if (result.getPayload() instanceof RunCompleted) {
      status = "completed";
    } else if (result.getPayload() instanceof RunFailed failed) {
      code = failed.getCode();
      status = CANCELLED.equals(code) ? "cancelled" : "failed";
    } else {
      return;
    }
    final Instant at = record.getTimestamp();
    runEnded(
        runner,
        status,
        code,
        startedAt == null ? null : Duration.between(startedAt, at),
        Duration.between(event.getEventTime(), at));
  }

  /** Counts a record written to the DLQ, read from {@code sourceTopic}. */
  public static void deadLettered(final String sourceTopic) {
    Counter.builder(DLQ_RECORDS)
        .description("records written to the dlq topic, by the topic they were read from")
        .tag("topic", label(sourceTopic))
        .register(registry())
        .increment();
  }

  /** Counts a host-API call of {@code method} with {@code outcome} (allowed, denied, failed). */
  public static void hostApiCall(final String method, final Object outcome) {
    Counter.builder(HOST_API_CALLS)
        .description("host-API calls of runs, by method and outcome")
        .tag("method", label(method))
        .tag("outcome", label(outcome))
        .register(registry())
        .increment();
  }

  /** Counts a host-API request refused before it reached a run, for {@code reason}. */
  public static void hostApiRefused(final MeterRegistry registry, final String reason) {
    Counter.builder(HOST_API_REFUSED)
        .description("host-API requests refused before reaching a run, by reason")
        .tag("reason", label(reason))
        .register(registry)
        .increment();
  }

  /** Counts an HTTP request refused with {@code status} (401 or 403) for {@code reason}. */
  public static void authDenied(
      final MeterRegistry registry, final int status, final String reason) {
    Counter.builder(AUTH_DENIED)
        .description("requests refused 401 or 403")
        .tag("status", Integer.toString(status))
        .tag("reason", label(reason))
        .register(registry)
        .increment();
  }

  /**
   * Registers a worker's gauges, read from {@code inFlight} and {@code free}; closing the result
   * removes them (a worker that stopped shows nothing).
   */
  public static Registration workerGauges(
      final String worker,
      final String pool,
      final Supplier<Number> inFlight,
      final Supplier<Number> free) {
    final MeterRegistry registry = registry();
    final Gauge running =
        Gauge.builder(WORKER_RUNS_IN_FLIGHT, inFlight)
            .description("runs executing on the worker")
            .tag("worker", label(worker))
            .tag("pool", label(pool))
            .strongReference(true)
            .register(registry);
    final Gauge slots =
        Gauge.builder(WORKER_SLOTS_FREE, free)
            .description("the worker's slots not running a run")
            .tag("worker", label(worker))
            .tag("pool", label(pool))
            .strongReference(true)
            .register(registry);
    return () -> {
      registry.remove(running);
      registry.remove(slots);
    };
  }

  /** Registers the share-group lag gauge read from {@code lag}; closing the result removes it. */
  public static Registration shareGroupLag(
      final String group, final String topic, final Supplier<Number> lag) {
    final MeterRegistry registry = registry();
    final Gauge gauge =
        Gauge.builder(SHARE_GROUP_LAG, lag)
            .description("records of the topic the share group has not acknowledged past")
            .tag("group", label(group))
            .tag("topic", label(topic))
            .strongReference(true)
            .register(registry);
    return () -> registry.remove(gauge);
  }

  /**
   * Binds Micrometer's {@code KafkaStreamsMetrics} for {@code streams} (every client metric of the
   * app as {@code kafka_*}, consumer lag among them), tagged {@code service}; closing unbinds them.
   */
  public static Registration bindKafka(final String service, final KafkaStreams streams) {
    final ScheduledExecutorService scheduler = kafkaScheduler(service);
    final KafkaStreamsMetrics bound =
        new KafkaStreamsMetrics(
            streams, Tags.of("service", service), scheduler, KAFKA_METRICS_REFRESH);
    bound.bindTo(registry());
    return () -> {
      bound.close();
      scheduler.shutdownNow();
    };
  }

  /** The same for one consumer's client metrics. */
  public static Registration bindKafka(final String service, final Consumer<?, ?> consumer) {
    final ScheduledExecutorService scheduler = kafkaScheduler(service);
    final KafkaClientMetrics bound =
        new KafkaClientMetrics(
            consumer, Tags.of("service", service), scheduler, KAFKA_METRICS_REFRESH);
    bound.bindTo(registry());
    return () -> {
      bound.close();
      scheduler.shutdownNow();
    };
  }

  /**
   * The thread of a Kafka binder, which looks for new client metrics (a partition's lag appears
   * once it is assigned) every {@link #KAFKA_METRICS_REFRESH}.
   */
  private static ScheduledExecutorService kafkaScheduler(final String service) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          final Thread thread = new Thread(r, service + "-kafka-metrics");
          thread.setDaemon(true);
          return thread;
        });
  }

  /** A tag value: an enum's name in lower case, {@value #NONE} for null or blank. */
  static String label(final Object value) {
    if (value == null || value.toString().isBlank()) {
      return NONE;
    }
    return value instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : value.toString();
  }

  private static Duration positive(final Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }
}
