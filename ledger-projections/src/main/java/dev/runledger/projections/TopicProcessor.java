package dev.runledger.projections;

import dev.runledger.projections.fold.Projector;
import dev.runledger.schemas.topics.Topic;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads the raw records of one input topic into the {@link Projector} over this processor's stores:
 * a tombstone (a key with no value) goes to {@link #forget}, anything else is decoded with a {@link
 * TolerantDecoder} (dead letters go on) and handed to {@link #project}.
 *
 * @param <V> the topic's values
 */
abstract class TopicProcessor<V> implements Processor<byte[], byte[], String, Emission> {
  private final TolerantDecoder<V> decoder;
  private ProcessorContext<String, Emission> context;
  private Projector projector;

  /**
   * @param topic the input topic
   * @param idOf the id in a value that its key must equal, or null when keys are not checked
   */
  TopicProcessor(final Topic<String, V> topic, final Function<V, String> idOf) {
    this(topic, idOf, UnaryOperator.identity());
  }

  /**
   * @param topic the input topic
   * @param idOf the id in a value that its key must name, or null when keys are not checked
   * @param idOfKey the id a key names, or null when it names none
   */
  TopicProcessor(
      final Topic<String, V> topic,
      final Function<V, String> idOf,
      final UnaryOperator<String> idOfKey) {
    this.decoder = new TolerantDecoder<>(topic, idOf, idOfKey);
  }

  @Override
  public final void init(final ProcessorContext<String, Emission> context) {
    this.context = context;
    this.projector = new Projector(new StorePort(context));
    started(context);
  }

  /** Called once the task's stores are restored and before its first record; does nothing. */
  void started(final ProcessorContext<String, Emission> context) {}

  @Override
  public final void process(final Record<byte[], byte[]> record) {
    final String key = TolerantDecoder.keyOf(record);
    if (record.value() == null && key != null && forget(projector, key)) {
      return;
    }
    decoder.decode(context, record).ifPresent(value -> project(record, key, value));
  }

  /**
   * Applies the tombstone of {@code key}; false when the topic has none, so that an empty value is
   * decoded (and dead-lettered) like any other.
   */
  boolean forget(final Projector projector, final String key) {
    return false;
  }

  /** Projects one decoded value read under {@code key}. */
  abstract void project(Record<byte[], byte[]> in, String key, V value);

  /**
   * Passes a view record downstream, as {@code in} under {@code key}, to the branch of its kind.
   */
  final void forward(
      final Record<byte[], byte[]> in,
      final String key,
      final Emission.Kind kind,
      final SpecificRecord view) {
    context.forward(in.withKey(key).withValue(Emission.of(kind, view)));
  }

  /** The offset of the record being processed, or -1 when it has none. */
  final long offset() {
    return context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
  }

  final Projector projector() {
    return projector;
  }
}
