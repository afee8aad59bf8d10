package dev.runledger.projections.tools;

import dev.runledger.projections.ProjectionSettings;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.DeadLetterDecoder;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Rebuild and verify over the topics themselves (the CLI's {@code rebuild} and {@code verify}). */
public final class LedgerTools {
  private final LedgerConfig config;
  private final LedgerTopics topics;
  private final TopicScan scan;

  public LedgerTools(final LedgerConfig config, final LedgerTopics topics) {
    this.config = config;
    this.topics = topics;
    this.scan = new TopicScan(config);
  }

  /**
   * Folds the ledger, host events and decisions into temporary on-disk stores ({@link
   * RebuildViews}) in a new directory under {@code state.dir}, within the projections' RocksDB
   * budget ({@link ProjectionSettings#MEMORY}); the digest of every view. The directory is deleted
   * before this returns.
   */
  public Map<String, ViewDigest> rebuild(final TopicScan.Progress progress) {
    try (RebuildViews views =
        RebuildViews.create(
            Path.of(config.get(CoreSettings.STATE_DIR)),
            topics.serdes(),
            ProjectionSettings.MEMORY.budget(config))) {
      read(topics.runLedger(), progress, (key, v, r) -> views.ledger(key, v, r.offset()));
      read(
          topics.hostEvents(),
          TopicScan.silent(),
          (key, v, r) -> Optional.ofNullable(v).ifPresent(views::hostEvent));
      read(topics.dispatchDecisions(), TopicScan.silent(), (key, v, r) -> views.decision(key, v));
      return views.digests();
    }
  }

  /** Every violation of the ledger's invariants. */
  public List<LedgerVerifier.Violation> verify(final TopicScan.Progress progress) {
    final LedgerVerifier verifier = new LedgerVerifier();
    read(
        topics.runLedger(),
        progress,
        (key, v, r) -> verifier.ledger(key, v, r.partition(), r.offset()));
    read(
        topics.dispatchDecisions(),
        TopicScan.silent(),
        (key, v, r) -> Optional.ofNullable(v).ifPresent(d -> verifier.decision(key, d)));
    return verifier.violations();
  }

  /** What {@link #read} hands on: the key, the value (null for a tombstone) and the record. */
  private interface Each<V> {
    void accept(String key, V value, ConsumerRecord<byte[], byte[]> record);
  }

  /** Scans a topic and hands every record that {@link #decode decodes} to {@code each}. */
  private <V> void read(
      final Topic<String, V> topic, final TopicScan.Progress progress, final Each<V> each) {
    final DeadLetterDecoder<V> decoder = DeadLetterDecoder.of(topic);
    scan.scan(
        topic.name(),
        null,
        progress,
        r -> decode(decoder, r).ifPresent(v -> each.accept(key(r), v.orElse(null), r)));
  }

  /** The record's key as text, or null. */
  public static String key(final ConsumerRecord<byte[], byte[]> record) {
    return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
  }

  /**
   * The decoded value: empty when it does not decode (a dead letter for the live views too: the
   * same {@link DeadLetterDecoder}), an empty inner optional for a tombstone.
   */
  public static <V> Optional<Optional<V>> decode(
      final Topic<String, V> topic, final ConsumerRecord<byte[], byte[]> record) {
    return decode(DeadLetterDecoder.of(topic), record);
  }

  private static <V> Optional<Optional<V>> decode(
      final DeadLetterDecoder<V> decoder, final ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return record.key() == null ? Optional.empty() : Optional.of(Optional.empty());
    }
    final Optional<V> value = decoder.decode(record.value(), (code, message) -> {});
    return value.isPresent() ? Optional.of(value) : Optional.empty();
  }
}
