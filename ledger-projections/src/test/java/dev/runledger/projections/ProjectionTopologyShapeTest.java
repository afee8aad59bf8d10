package dev.runledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** Names of stores, sources, processors and sinks are part of the deployed state: keep them. */
class ProjectionTopologyShapeTest {
  private final LedgerConfig config = LedgerConfig.of(Map.of());
  private final LedgerTopics topics = LedgerTopics.create(config);

  @Test
  void shouldNameEveryNodeAndStoreWhenBuilt() {
    // when
    final TopologyDescription description = ProjectionTopology.build(topics).describe();

    // then
    final Set<String> nodes =
        description.subtopologies().stream()
            .flatMap(s -> s.nodes().stream())
            .map(TopologyDescription.Node::name)
            .collect(Collectors.toSet());
    assertThat(nodes)
        .contains(
            "run-ledger-source",
            "run-fold",
            "host-events-source",
            "host-events-messages",
            "transcript-append",
            "state-apply",
            "deliveries-coalesce",
            "deliveries-sink",
            "dispatch-decisions-source",
            "dispatch-decisions-materializer",
            "projections-dlq-sink");
    assertThat(nodes).allMatch(name -> !name.startsWith("KSTREAM-") && !name.startsWith("KTABLE-"));
    final Set<String> stores =
        description.subtopologies().stream()
            .flatMap(s -> s.nodes().stream())
            .filter(n -> n instanceof TopologyDescription.Processor)
            .flatMap(n -> ((TopologyDescription.Processor) n).stores().stream())
            .collect(Collectors.toSet());
    assertThat(stores)
        .containsExactlyInAnyOrder(
            "runs",
            "run-events",
            "runs-index",
            "transcript",
            "transcript-events",
            "state",
            "delivery-buffer",
            "dispatch-decisions");
    assertThat(description.globalStores()).isEmpty();
  }

  @Test
  void shouldReadLedgerHostEventsAndDecisionsAndWriteDlqAndDeliveriesWhenBuilt() {
    // when
    final TopologyDescription description = ProjectionTopology.build(topics).describe();

    // then
    final Set<String> sourceTopics =
        description.subtopologies().stream()
            .flatMap(s -> s.nodes().stream())
            .filter(n -> n instanceof TopologyDescription.Source)
            .flatMap(n -> ((TopologyDescription.Source) n).topicSet().stream())
            .collect(Collectors.toSet());
    assertThat(sourceTopics)
        .containsExactlyInAnyOrder(
            "runledger.run-ledger",
            "runledger.host-events",
            "runledger.dispatch-decisions",
            "transcript-assistant-repartition",
            "transcript-user-repartition",
            "state-updates-repartition");
    final Set<String> sinkTopics =
        description.subtopologies().stream()
            .flatMap(s -> s.nodes().stream())
            .filter(n -> n instanceof TopologyDescription.Sink)
            .map(n -> ((TopologyDescription.Sink) n).topic())
            .collect(Collectors.toSet());
    assertThat(sinkTopics)
        .containsExactlyInAnyOrder(
            "runledger.dlq",
            "runledger.deliveries",
            "transcript-assistant-repartition",
            "transcript-user-repartition",
            "state-updates-repartition");
  }

  @Test
  void shouldRunExactlyOnceWithExplicitNamesWhenConfigured() {
    // when
    final Properties props = ProjectionTopology.streamsConfig(config);

    // then
    assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("runledger.projections");
    assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(props.get(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG))
        .isEqualTo(true);
    assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100L);
    assertThat(props).doesNotContainKey(StreamsConfig.APPLICATION_SERVER_CONFIG);
    new StreamsConfig(props);
  }

  @Test
  void shouldTakeApplicationIdAndAdvertisedServerFromConfigWhenGiven() {
    // given
    final LedgerConfig custom =
        config.with(
            Map.of(
                ProjectionSettings.APPLICATION_ID, "proj-7",
                ProjectionSettings.ADVERTISED_URL, "http://10.0.0.5:8081/",
                ProjectionSettings.COMMIT_INTERVAL_MS, "250"));

    // when
    final Properties props = ProjectionTopology.streamsConfig(custom);

    // then
    assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("proj-7");
    assertThat(props.get(StreamsConfig.APPLICATION_SERVER_CONFIG)).isEqualTo("10.0.0.5:8081");
    assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(250L);
  }

  @Test
  void shouldAcceptHostAndPortWithoutSchemeWhenAdvertised() {
    // given
    final LedgerConfig custom =
        config.with(Map.of(ProjectionSettings.ADVERTISED_URL, "proj-0.proj:8080"));

    // then
    assertThat(ProjectionSettings.applicationServer(custom)).contains("proj-0.proj:8080");
  }
}
