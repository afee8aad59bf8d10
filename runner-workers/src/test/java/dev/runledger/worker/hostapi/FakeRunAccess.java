package dev.runledger.worker.hostapi;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.spi.RunAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link RunAccess} that records audits, results and pulled steering. */
public final class FakeRunAccess implements RunAccess {
  public final List<HostApiCall> audits = new CopyOnWriteArrayList<>();
  public final List<AgentRunResult> emitted = new CopyOnWriteArrayList<>();
  public final List<SteeringItem> queue = new ArrayList<>();
  public volatile boolean active = true;
  private final AgentRunContext context;
  private final AuthorizationSnapshot snapshot;

  public FakeRunAccess(final AgentRunContext context, final AuthorizationSnapshot snapshot) {
    this.context = context;
    this.snapshot = snapshot;
  }

  @Override
  public AgentRunContext context() {
    return context;
  }

  @Override
  public AuthorizationSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public int attempt() {
    return 1;
  }

  @Override
  public boolean active() {
    return active;
  }

  @Override
  public void audit(final HostApiCall call) {
    audits.add(call);
  }

  @Override
  public void emit(final AgentRunResult result) {
    emitted.add(result);
  }

  @Override
  public synchronized List<SteeringItem> pullSteering(final boolean oneOnly) {
    final List<SteeringItem> taken =
        new ArrayList<>(oneOnly ? queue.subList(0, Math.min(1, queue.size())) : queue);
    queue.removeAll(taken);
    return taken;
  }
}
