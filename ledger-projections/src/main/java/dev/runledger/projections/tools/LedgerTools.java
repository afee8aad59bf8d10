package dev.runledger.projections.tools;

import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/** Rebuild and verify over the topics themselves (the CLI's {@code rebuild} and {@code verify}). */
public final class LedgerTools {
  private final LedgerTopics topics;
  private final TopicScan scan;

  public LedgerTools(final LedgerConfig config, final LedgerTopics topics) {
    this.topics = topics;
    this.scan = new TopicScan(config);
  }

  /** Folds the ledger, host events and decisions in memory; the digest of every view. */
  public Map<String, ViewDigest> rebuild(final TopicScan.Progress progress) {
    final InMemoryViews views = new InMemoryViews();
    scan.scan(
        topics.runLedger().name(),
        null,
        progress,
        r ->
            decode(topics.runLedger(), r)
                .ifPresent(v -> views.ledger(key(r), v.orElse(null), r.offset())));
    scan.scan(
        topics.hostEvents().name(),
        null,
        TopicScan.silent(),
        r -> decode(topics.hostEvents(), r).ifPresent(v -> v.ifPresent(views::hostEvent)));
    scan.scan(
        topics.dispatchDecisions().name(),
        null,
        TopicScan.silent(),
        r ->
            decode(topics.dispatchDecisions(), r)
                .ifPresent(v -> views.decision(key(r), v.orElse(null))));
    return views.digests();
  }

  /** Every violation of the ledger's invariants. */
  public List<LedgerVerifier.Violation> verify(final TopicScan.Progress progress) {
    final LedgerVerifier verifier = new LedgerVerifier();
    scan.scan(
        topics.runLedger().name(),
        null,
        progress,
        r ->
            decode(topics.runLedger(), r)
                .ifPresent(
                    v -> verifier.ledger(key(r), v.orElse(null), r.partition(), r.offset())));
    scan.scan(
        topics.dispatchDecisions().name(),
        null,
        TopicScan.silent(),
        r ->
            decode(topics.dispatchDecisions(), r)
                .ifPresent(v -> v.ifPresent(d -> verifier.decision(key(r), d))));
    return verifier.violations();
  }

  /** The record's key as text, or null. */
  public static String key(final ConsumerRecord<byte[], byte[]> record) {
    return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
  }

  /**
   * The decoded value: empty when it does not decode (a dead letter for the live views too), an
   * empty inner optional for a tombstone.
   */
  public static <V> Optional<Optional<V>> decode(
      final Topic<String, V> topic, final ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return record.key() == null ? Optional.empty() : Optional.of(Optional.empty());
    }
    try {
      return Optional.of(
          Optional.of(topic.valueSerde().deserializer().deserialize(topic.name(), record.value())));
    } catch (final SerializationException e) {
      return Optional.empty();
    }
  }
}
