package dev.runledger.orchestrator.topology;

import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.orchestrator.dispatch.DispatchPolicy;
import dev.runledger.orchestrator.dispatch.FilterLimits;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/**
 * An unexpected failure outside the dispatch step still ends the event with exactly one decision:
 * here the decisions store fails the dedupe lookup of every event id starting with {@value
 * #FAILING}.
 */
class FailedStepTopologyTest extends DispatchDriverTest {
  private static final String FAILING = "boom";

  @Override
  Topology topology(final OrchestratorSettings settings) {
    return DispatchTopology.build(
        topics,
        settings,
        FilterLimits.defaults(),
        failingLookups(DispatchTopology.decisionsSupplier(settings)));
  }

  @Test
  void shouldRejectAsDispatchFailedWhenDedupeFailsAndGoOnWithTheNextEvent() {
    // given
    runners.pipeInput(ECHO, manifest(ECHO, "default").build());
    bind(binding("b1", ECHO).build());

    // when
    send(event(FAILING + "-1").build());
    send(event("e2").build());

    // then: one decision each, the failed one rejected, and no run for it
    final List<KeyValue<String, DispatchDecision>> all = decisions.readKeyValuesToList();
    assertThat(all)
        .extracting(kv -> kv.key)
        .containsExactly(decisionKey(FAILING + "-1"), decisionKey("e2"));
    final DispatchDecision failed = all.get(0).value;
    assertThat(failed.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(failed.getReason()).isEqualTo(DispatchPolicy.DISPATCH_FAILED);
    assertThat(failed.getRunId()).isNull();
    assertThat(all.get(1).value.getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(commands.readRecordsToList()).hasSize(1);

    // and the failed record is dead-lettered by the processing exception handler
    assertThat(dlq.readRecordsToList()).hasSize(1);
  }

  /** {@code real}'s store, except that fetching a key starting with {@value #FAILING} throws. */
  private static WindowBytesStoreSupplier failingLookups(final WindowBytesStoreSupplier real) {
    return new WindowBytesStoreSupplier() {
      @Override
      public String name() {
        return real.name();
      }

      @Override
      public WindowStore<Bytes, byte[]> get() {
        return failingLookups(real.get());
      }

      @Override
      public String metricsScope() {
        return real.metricsScope();
      }

      @Override
      public long segmentIntervalMs() {
        return real.segmentIntervalMs();
      }

      @Override
      public long windowSize() {
        return real.windowSize();
      }

      @Override
      public boolean retainDuplicates() {
        return real.retainDuplicates();
      }

      @Override
      public long retentionPeriod() {
        return real.retentionPeriod();
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static WindowStore<Bytes, byte[]> failingLookups(final WindowStore<Bytes, byte[]> store) {
    return (WindowStore<Bytes, byte[]>)
        Proxy.newProxyInstance(
            WindowStore.class.getClassLoader(),
            new Class<?>[] {WindowStore.class},
            (proxy, method, args) -> {
              if (method.getName().equals("fetch")
                  && args.length == 3
                  && args[0] instanceof Bytes key
                  && WorkspaceKeys.id(new String(key.get(), StandardCharsets.UTF_8))
                      .startsWith(FAILING)) {
                throw new IllegalStateException("the store failed (test)");
              }
              try {
                return method.invoke(store, args);
              } catch (final InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
