package dev.runledger.deploy.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.projections.tools.LedgerTools;
import dev.runledger.projections.tools.TopicScan;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs the {@link ChaosChecker} over a stack: reads the ingest topic, the decisions and the run
 * ledger ({@link TopicScan}, {@code read_committed}), rebuilds the views ({@link
 * LedgerTools#rebuild}) and asks the live views over the HTTP API. Runs still in flight or views
 * still catching up look like anomalies, so it checks again until the history is clean or the drain
 * time is over, and returns the last verdict.
 */
public final class ChaosCheck {
  private final LedgerConfig config;
  private final LedgerTopics topics;
  private final ApiClient api;

  /**
   * @param config the stack's settings (topic prefix, bootstrap servers, state.dir)
   * @param api the projections' HTTP API
   */
  public ChaosCheck(final LedgerConfig config, final ApiClient api) {
    this.config = config;
    this.topics = LedgerTopics.create(config);
    this.api = api;
  }

  /** Checks until clean or {@code drain} has passed; {@code progress} hears of every attempt. */
  public ChaosChecker.Result check(final Duration drain, final Consumer<String> progress) {
    final Instant deadline = Instant.now().plus(drain);
    while (true) {
      final ChaosChecker.Result result = once();
      if (result.clean() || Instant.now().isAfter(deadline)) {
        return result;
      }
      progress.accept("draining: " + result.anomalies());
      sleep(Duration.ofSeconds(2));
    }
  }

  /** One check of the whole history. */
  public ChaosChecker.Result once() {
    final ChaosChecker checker = new ChaosChecker();
    final TopicScan scan = new TopicScan(config);
    read(scan, topics.hostEvents(), (r, v) -> checker.hostEvent(v));
    read(scan, topics.dispatchDecisions(), (r, v) -> checker.decision(LedgerTools.key(r), v));
    scan.scan(
        topics.runLedger().name(),
        null,
        TopicScan.silent(),
        r ->
            LedgerTools.decode(topics.runLedger(), r)
                .ifPresent(
                    v ->
                        checker.ledger(
                            LedgerTools.key(r), v.orElse(null), r.partition(), r.offset())));
    final Map<String, ViewDigest> rebuilt =
        new LedgerTools(config, topics).rebuild(TopicScan.silent());
    return checker.check(views(), rebuilt, liveDigests());
  }

  /** Every decoded, non-tombstone value of {@code topic}. */
  private static <V> void read(
      final TopicScan scan,
      final Topic<String, V> topic,
      final BiConsumer<ConsumerRecord<byte[], byte[]>, V> each) {
    scan.scan(
        topic.name(),
        null,
        TopicScan.silent(),
        r -> LedgerTools.decode(topic, r).flatMap(v -> v).ifPresent(v -> each.accept(r, v)));
  }

  private Map<String, String> liveDigests() {
    final JsonNode body = api.get(ApiPaths.DIGESTS).orThrow("reading live digests");
    final Map<String, String> live = new LinkedHashMap<>();
    body.properties().forEach(e -> live.put(e.getKey(), e.getValue().asText()));
    return live;
  }

  private ChaosChecker.Views views() {
    return new ChaosChecker.Views() {
      @Override
      public OptionalLong eventCount(final String runId) {
        final ApiClient.Response run = api.get(ApiPaths.run(runId));
        return run.ok()
            ? OptionalLong.of(run.body().path("event_count").asLong())
            : OptionalLong.empty();
      }

      @Override
      public boolean hasDecision(final String workspaceId, final String eventId) {
        return api.get(ApiPaths.decision(workspaceId, eventId)).ok();
      }
    };
  }

  private static void sleep(final Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while draining", e);
    }
  }
}
