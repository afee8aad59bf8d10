package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is told each time the fold writes a run to the {@code runs} view, with the run as written
 * (readable through the queries from that moment). {@code ledger bench} uses it to time when a run
 * becomes readable without polling the view. Listeners run on the stream thread, inside the fold,
 * so they must return at once; one that throws is removed.
 */
final class RunViewListeners implements Consumer<AgentRun> {
  private static final Logger LOG = LoggerFactory.getLogger(RunViewListeners.class);
  private final List<Consumer<AgentRun>> listeners = new CopyOnWriteArrayList<>();

  void add(final Consumer<AgentRun> listener) {
    listeners.add(listener);
  }

  void remove(final Consumer<AgentRun> listener) {
    listeners.remove(listener);
  }

  @Override
  public void accept(final AgentRun run) {
    final List<Consumer<AgentRun>> failed = new ArrayList<>(0);
    for (final Consumer<AgentRun> listener : listeners) {
      try {
        listener.accept(run);
      } catch (final RuntimeException e) {
        LOG.warn("a runs-view listener failed; it is removed", e);
        failed.add(listener);
      }
    }
    listeners.removeAll(failed);
  }
}
