package dev.runledger.orchestrator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.junit.jupiter.api.Test;

class DispatchTopologyShapeTest {
  private final LedgerTopics topics = LedgerTopics.create(LedgerConfig.of(Map.of()));
  private final TopologyDescription description = DispatchTopology.build(topics).describe();

  @Test
  void shouldNameEverySourceProcessorAndSinkWithTheConstants() {
    // when
    final Set<String> nodes =
        description.subtopologies().stream()
            .flatMap(s -> s.nodes().stream())
            .map(TopologyDescription.Node::name)
            .collect(Collectors.toSet());

    // then
    assertThat(description.subtopologies()).hasSize(2);
    assertThat(nodes)
        .contains(
            DispatchTopology.SOURCE_HOST_EVENTS,
            DispatchTopology.PROCESSOR_DECODE,
            DispatchTopology.PROCESSOR_DEDUPE,
            DispatchTopology.MERGE_CONVERSATION_INPUTS,
            DispatchTopology.PROCESSOR_CONVERSATION,
            DispatchTopology.SINK_DLQ,
            DispatchTopology.SINK_INVALID,
            DispatchTopology.SINK_DUPLICATES,
            DispatchTopology.SINK_DECISIONS,
            DispatchTopology.SINK_LEDGER,
            DispatchTopology.SINK_RUN_COMMANDS,
            DispatchTopology.SINK_RUN_CONTROL,
            DispatchTopology.SOURCE_LEDGER,
            DispatchTopology.SOURCE_CONTROL,
            DispatchTopology.PROCESSOR_DECODE_LEDGER,
            DispatchTopology.PROCESSOR_DECODE_CONTROL,
            DispatchTopology.SINK_LEDGER_DLQ,
            DispatchTopology.SINK_CONTROL_DLQ,
            DispatchTopology.MERGE_RUN_INPUTS,
            DispatchTopology.PROCESSOR_TRACKER,
            DispatchTopology.SPLIT_TRACKED,
            DispatchTopology.SPLIT_TRACKED + DispatchTopology.BRANCH_TRACKED_LEDGER,
            DispatchTopology.SPLIT_TRACKED + DispatchTopology.BRANCH_TRACKED_CONTROL,
            DispatchTopology.SPLIT_TRACKED + DispatchTopology.BRANCH_TRACKED_NOTICES,
            DispatchTopology.SINK_TRACKER_LEDGER,
            DispatchTopology.SINK_TRACKER_CONTROL);
    // The only other nodes are the named repartition's own.
    assertThat(nodes)
        .filteredOn(n -> !n.startsWith(DispatchTopology.REPARTITION_NOTICES + "-repartition"))
        .hasSize(26);
  }

  @Test
  void shouldRepartitionNoticesThroughTheNamedTopicIntoTheConversationSubtopology() {
    final Set<String> topicsIn =
        description.subtopologies().stream()
            .flatMap(s -> s.nodes().stream())
            .filter(TopologyDescription.Source.class::isInstance)
            .flatMap(n -> ((TopologyDescription.Source) n).topicSet().stream())
            .collect(Collectors.toSet());

    assertThat(topicsIn)
        .containsExactlyInAnyOrder(
            topics.hostEvents().name(),
            topics.runLedger().name(),
            topics.runControl().name(),
            DispatchTopology.REPARTITION_NOTICES + "-repartition");
  }

  @Test
  void shouldKeepEachStoreOnItsProcessor() {
    final Map<String, Set<String>> storesByProcessor =
        description.subtopologies().stream()
            .flatMap(s -> s.nodes().stream())
            .filter(TopologyDescription.Processor.class::isInstance)
            .map(TopologyDescription.Processor.class::cast)
            .filter(p -> !p.stores().isEmpty())
            .collect(
                Collectors.toMap(
                    TopologyDescription.Node::name, TopologyDescription.Processor::stores));

    assertThat(storesByProcessor)
        .containsOnly(
            Map.entry(DispatchTopology.PROCESSOR_DEDUPE, Set.of(DispatchTopology.STORE_DECISIONS)),
            Map.entry(
                DispatchTopology.PROCESSOR_CONVERSATION,
                Set.of(
                    DispatchTopology.STORE_CONVERSATIONS,
                    DispatchTopology.STORE_DEADLINES,
                    DispatchTopology.STORE_DECISIONS)),
            Map.entry(
                DispatchTopology.PROCESSOR_TRACKER, Set.of(DispatchTopology.STORE_RUN_TRACKS)));
  }

  @Test
  void shouldReadBindingsAndRunnersIntoNamedGlobalStores() {
    final Map<String, Set<String>> globalStores =
        description.globalStores().stream()
            .collect(
                Collectors.toMap(
                    g -> g.source().name() + "->" + g.processor().name(),
                    g -> g.processor().stores()));
    final Map<String, Set<String>> globalTopics =
        description.globalStores().stream()
            .collect(Collectors.toMap(g -> g.source().name(), g -> g.source().topicSet()));

    assertThat(globalStores)
        .containsOnly(
            Map.entry(
                DispatchTopology.SOURCE_BINDINGS + "->" + DispatchTopology.PROCESSOR_BINDINGS,
                Set.of(DispatchTopology.STORE_BINDINGS)),
            Map.entry(
                DispatchTopology.SOURCE_RUNNERS + "->" + DispatchTopology.PROCESSOR_RUNNERS,
                Set.of(DispatchTopology.STORE_RUNNERS)));
    assertThat(globalTopics)
        .containsOnly(
            Map.entry(DispatchTopology.SOURCE_BINDINGS, Set.of(topics.bindings().name())),
            Map.entry(DispatchTopology.SOURCE_RUNNERS, Set.of(topics.runners().name())));
  }

  @Test
  void shouldConfigureExactlyOnceExplicitNamingAndAShortCommitInterval() {
    // given
    final LedgerConfig config = LedgerConfig.of(Map.of(LedgerConfig.TOPIC_PREFIX, "t1."));

    // when
    final Properties props = DispatchTopology.streamsConfig(config);

    // then
    assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("t1.orchestrator");
    assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(props.get(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG))
        .isEqualTo(true);
    assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(20L);
    assertThat(props.get(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(5L);
    assertThat(props.get(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG)))
        .isEqualTo(5L);
    assertThat(props.get(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)))
        .isEqualTo(10L);
    assertThat(new StreamsConfig(props).getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG))
        .isEqualTo(3);
    assertThat(props.get(StreamsConfig.topicPrefix("min.insync.replicas"))).isEqualTo("2");
    assertThat(props.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG))
        .isEqualTo("t1.dlq");
    assertThat(props.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(LogAndContinueProcessingExceptionHandler.class.getName());
    assertThat(props.get("processing.exception.handler.global.enabled")).isEqualTo(true);
    assertThat(
            props.get(
                StreamsConfig.mainConsumerPrefix("processing.exception.handler.global.enabled")))
        .isEqualTo(true);
  }

  @Test
  void shouldLetConfigurationOverrideTheApplicationIdAndCommitIntervalButNotTheGuarantee() {
    // given
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                OrchestratorSettings.APPLICATION_ID,
                "my-orchestrator",
                "streams.commit.interval.ms",
                "1000",
                "streams.processing.guarantee",
                "at_least_once"));

    // when
    final Properties props = DispatchTopology.streamsConfig(config);

    // then
    assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("my-orchestrator");
    assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo("1000");
    assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
  }

  @Test
  void shouldPreferTheOrchestratorsLatencySettingsThenKafkaKeysThenTheDefaults() {
    // given
    final String linger = StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG);
    final LedgerConfig own =
        LedgerConfig.of(
            Map.of(
                OrchestratorSettings.COMMIT_INTERVAL_MS,
                "50",
                OrchestratorSettings.POLL_MS,
                "10",
                OrchestratorSettings.LINGER_MS,
                "0",
                "streams.poll.ms",
                "30",
                "kafka.linger.ms",
                "20"));
    final LedgerConfig kafka =
        LedgerConfig.of(Map.of("streams.poll.ms", "30", "kafka.linger.ms", "20"));

    // when
    final Properties fromOwn = DispatchTopology.streamsConfig(own);
    final Properties fromKafka = DispatchTopology.streamsConfig(kafka);

    // then
    assertThat(fromOwn.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50L);
    assertThat(fromOwn.get(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(10L);
    assertThat(
            new StreamsConfig(fromOwn).getProducerConfigs("c").get(ProducerConfig.LINGER_MS_CONFIG))
        .isEqualTo(0L);
    assertThat(fromKafka.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(20L);
    assertThat(fromKafka.get(StreamsConfig.POLL_MS_CONFIG)).isEqualTo("30");
    assertThat(fromKafka).doesNotContainKey(linger);
    assertThat(new StreamsConfig(fromKafka).getProducerConfigs("c").get("linger.ms"))
        .isEqualTo("20");
  }

  @Test
  void shouldReadTheDedupeWindowAndPoolsFromConfiguration() {
    final OrchestratorSettings settings =
        OrchestratorSettings.from(
            LedgerConfig.of(
                Map.of(
                    OrchestratorSettings.DEDUPE_WINDOW_MS,
                    "60000",
                    LedgerConfig.POOLS,
                    "default, gpu")));

    assertThat(settings.dedupeWindow().toMillis()).isEqualTo(60_000);
    assertThat(settings.pools()).containsExactlyInAnyOrder("default", "gpu");
    assertThat(OrchestratorSettings.from(LedgerConfig.of(Map.of())).dedupeWindow().toDays())
        .isEqualTo(7);
  }
}
