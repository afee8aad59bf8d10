package dev.runledger.orchestrator.topology;

import dev.runledger.avro.RunCommand;
import dev.runledger.schemas.topics.LedgerTopics;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/**
 * Sends each {@code StartRun} to {@code run-commands.<pool>}, the pool named by the record's
 * {@value DispatchTopology#POOL_HEADER} header. The dispatch step only creates runs for configured
 * pools, so the topic always exists; a record without the header goes to the {@code default} pool.
 */
final class RunCommandTopics implements TopicNameExtractor<String, RunCommand> {
  private final LedgerTopics topics;
  private final Map<String, String> names;

  RunCommandTopics(final LedgerTopics topics, final Set<String> pools) {
    this.topics = topics;
    this.names =
        pools.stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    Function.identity(), p -> topics.runCommands(p).name()));
  }

  @Override
  public String extract(final String runId, final RunCommand command, final RecordContext record) {
    final String pool =
        TextHeaders.get(record.headers(), DispatchTopology.POOL_HEADER)
            .orElse(OrchestratorSettings.DEFAULT_POOL);
    final String name = names.get(pool);
    return name != null ? name : topics.runCommands(pool).name();
  }
}
