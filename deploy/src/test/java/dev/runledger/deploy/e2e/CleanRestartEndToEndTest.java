package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.orchestrator.OrchestratorService;
import dev.runledger.orchestrator.topology.OrchestratorSettings;
import dev.runledger.projections.ProjectionService;
import dev.runledger.projections.ProjectionSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.service.StreamsService;
import dev.runledger.schemas.topics.LedgerTopics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean stop leaves the consumer groups of both Streams apps, so an instance started again on the
 * same state does not wait out the closed member's session timeout (45 s by default, which this
 * test keeps) before it runs.
 */
@ExtendWith(KafkaExtension.class)
class CleanRestartEndToEndTest {
  @TempDir Path stateDir;

  @Test
  void shouldLeaveNoMemberInEitherGroupWhenTheStreamsAppsCloseCleanly(final TestBroker kafka)
      throws Exception {
    // given both Streams apps running on the default session timeout
    final LedgerConfig config = StackBuilder.named("restart").config(kafka, stateDir);
    final LedgerTopics topics = LedgerTopics.create(config);
    TopicAdmin.createAll(config, topics);
    final List<String> groups =
        List.of(
            OrchestratorSettings.applicationId(config), ProjectionSettings.applicationId(config));
    final List<StreamsService> first = start(config, topics);
    try (Admin admin = Admin.create(config.kafkaProperties())) {
      assertThat(members(admin, groups))
          .allSatisfy((group, count) -> assertThat(count).isPositive());

      // when they close cleanly
      first.forEach(StreamsService::close);

      // then their groups have no member left to wait for, and a restart on the same state runs
      assertThat(members(admin, groups))
          .containsOnly(Map.entry(groups.get(0), 0), Map.entry(groups.get(1), 0));
      final List<StreamsService> second = start(config, topics);
      assertThat(second).allMatch(StreamsService::healthy);
      second.forEach(StreamsService::close);
    }
  }

  private static List<StreamsService> start(final LedgerConfig config, final LedgerTopics topics) {
    final OrchestratorService orchestrator = new OrchestratorService(config, topics);
    orchestrator.start();
    final ProjectionService projections = new ProjectionService(config, topics);
    projections.start();
    return List.of(orchestrator, projections);
  }

  private static Map<String, Integer> members(final Admin admin, final List<String> groups)
      throws Exception {
    final Map<String, ConsumerGroupDescription> described =
        admin.describeConsumerGroups(groups).all().get();
    return groups.stream()
        .collect(Collectors.toMap(group -> group, group -> described.get(group).members().size()));
  }
}
