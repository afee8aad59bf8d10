package dev.runledger.projections;

import dev.runledger.projections.fold.Projector;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Hands each repartitioned view record to one step of the {@link Projector} over this processor's
 * stores: {@link Projector#transcript} numbers and stores transcript items, {@link Projector#state}
 * applies state updates.
 *
 * @param <V> the view records
 */
final class ViewProcessor<V> implements Processor<String, V, Void, Void> {
  private final BiConsumer<Projector, V> step;
  private Projector projector;

  ViewProcessor(final BiConsumer<Projector, V> step) {
    this.step = step;
  }

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    this.projector = new Projector(new StorePort(context));
  }

  @Override
  public void process(final Record<String, V> record) {
    step.accept(projector, record.value());
  }
}
