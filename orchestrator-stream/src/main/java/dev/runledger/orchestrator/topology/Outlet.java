package dev.runledger.orchestrator.topology;

import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A named child of a processor that receives records of one key and value type only. A processor
 * with several children gets one outlet per child and forwards through it, so it never names a node
 * itself and the compiler checks what it sends where; the topology names the child node after the
 * outlet and takes the child's typed view of the processor's stream from it.
 *
 * @param name the child's node name
 * @param <K> the key type the child receives
 * @param <V> the value type the child receives
 */
record Outlet<K, V>(String name) {
  /** Forwards {@code record} to this child only. */
  void forward(final ProcessorContext<? super K, ? super V> context, final Record<K, V> record) {
    context.forward(record, name);
  }

  /**
   * The stream of a processor that forwards to this outlet, as this child sees it. A multi-child
   * processor's stream has one declared type for all its children; the child named {@link #name}
   * receives only what {@link #forward} sent it, which is a {@code Record<K, V>}, so the view is
   * safe.
   */
  @SuppressWarnings("unchecked")
  KStream<K, V> of(final KStream<?, ?> processorStream) {
    return (KStream<K, V>) processorStream;
  }
}
