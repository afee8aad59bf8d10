package dev.runledger.deploy.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingScope;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.DispatchPolicy;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.EventSource;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TopicProbe;
import dev.runledger.deploy.harness.TopicWriter;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.gateway.client.HostEventClient;
import dev.runledger.orchestrator.OrchestratorService;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.ConversationKeys;
import dev.runledger.schemas.topics.LedgerTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * G1 across a restart: while 1,000 events (5% duplicate event ids) and some garbage records flow
 * into the ingest topic, the orchestrator is stopped and a new instance with the same application
 * id takes over. Every event ends with exactly one decision and at most one run per (event,
 * binding). No worker runs: the test is about dispatch only.
 */
@ExtendWith(KafkaExtension.class)
class DispatchRestartEndToEndTest {
  private static final String RUNNER = "test:g1/default";
  private static final int EVENTS = 1000;
  private static final int DUPLICATES = 50;
  private static final int GARBAGE = 20;

  @TempDir Path stateDir;

  @Test
  void shouldDecideEveryEventExactlyOnceAcrossAnOrchestratorRestart(final TestBroker kafka)
      throws Exception {
    // given
    final LedgerConfig config =
        StackBuilder.named("g1").shortStreamsSessions().config(kafka, stateDir);
    final TopicProbe probe = new TopicProbe(kafka.bootstrapServers());
    final LedgerTopics topics = LedgerTopics.create(config);
    TopicAdmin.createAll(config, topics);
    final List<HostEvent> events = events();
    OrchestratorService orchestrator = new OrchestratorService(config, topics);
    try (HostEventClient client = new HostEventClient(config, topics);
        KafkaProducer<String, byte[]> raw = rawProducer(config)) {
      publishRunner(config, topics);
      client.putBinding(binding()).get();
      orchestrator.start();
      final OrchestratorService first = orchestrator;
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> first.knowsRunner(RUNNER) && first.knowsBinding("ws-g1", "b-g1"));

      // when: events flow; the orchestrator is replaced a third of the way in
      final Random random = new Random(7);
      int garbage = 0;
      for (int i = 0; i < events.size(); i++) {
        client.send(events.get(i));
        if (i % 50 == 25 && garbage < GARBAGE) {
          for (int g = 0; g < 2; g++, garbage++) {
            final byte[] junk = new byte[16];
            random.nextBytes(junk);
            raw.send(new ProducerRecord<>(topics.hostEvents().name(), "junk-" + garbage, junk));
          }
        }
        if (i % 100 == 99) {
          client.flush();
          Thread.sleep(100);
        }
        if (i == EVENTS / 3) {
          client.flush();
          orchestrator.close();
          orchestrator = new OrchestratorService(config, topics);
          orchestrator.start();
        }
      }
      client.flush();
      raw.flush();

      // then
      final List<DispatchDecision> decisions =
          probe.readValues(topics.dispatchDecisions(), list -> list.size() >= EVENTS);
      final List<LedgerRecord> created =
          probe.readValues(
              topics.runLedger(),
              list ->
                  list.stream().filter(r -> r.getBody() instanceof RunCreated).count()
                      >= EVENTS - DUPLICATES);
      final List<byte[]> dead = probe.readValues(topics.dlq(), list -> list.size() >= GARBAGE);

      assertThat(decisions).hasSize(EVENTS);
      final Map<String, List<Decision>> byEvent =
          decisions.stream()
              .collect(
                  Collectors.groupingBy(
                      DispatchDecision::getEventId,
                      Collectors.mapping(DispatchDecision::getDecision, Collectors.toList())));
      assertThat(byEvent).hasSize(EVENTS - DUPLICATES);
      byEvent.forEach(
          (eventId, kinds) ->
              assertThat(kinds.stream().filter(k -> k != Decision.DUPLICATE))
                  .as("non-duplicate decisions of %s", eventId)
                  .containsExactly(Decision.RUN_CREATED));
      assertThat(decisions.stream().filter(d -> d.getDecision() == Decision.DUPLICATE))
          .hasSize(DUPLICATES)
          .allSatisfy(d -> assertThat(d.getRunId()).isNotNull());
      final Map<String, Long> runsPerPair =
          created.stream()
              .filter(r -> r.getBody() instanceof RunCreated)
              .map(r -> (RunCreated) r.getBody())
              .collect(
                  Collectors.groupingBy(
                      c -> c.getEventId() + "|" + c.getBindingId(), Collectors.counting()));
      assertThat(runsPerPair).hasSize(EVENTS - DUPLICATES);
      assertThat(runsPerPair.values()).allMatch(n -> n == 1L);
      assertThat(dead).hasSize(GARBAGE);
    } finally {
      orchestrator.close();
    }
  }

  /** 950 distinct events in 40 conversations, with 50 of them sent a second time. */
  private static List<HostEvent> events() {
    final Random random = new Random(42);
    final List<HostEvent> unique = new ArrayList<>();
    for (int i = 0; i < EVENTS - DUPLICATES; i++) {
      unique.add(
          HostEvent.newBuilder()
              .setEventId("g1-" + i)
              .setEventType("message.received")
              .setEventTime(Instant.now())
              .setSource(EventSource.PLATFORM)
              .setWorkspaceId("ws-g1")
              .setConversationId("c" + random.nextInt(40))
              .setInput(EventInput.newBuilder().setText("message " + i).build())
              .build());
    }
    final List<HostEvent> all = new ArrayList<>(unique);
    for (int d = 0; d < DUPLICATES; d++) {
      final int at = 20 + d * 18;
      all.add(at + 1, unique.get(at - 10));
    }
    assertThat(all.stream().map(ConversationKeys::ingestKey)).doesNotContainNull();
    return all;
  }

  private static AgentBinding binding() {
    return AgentBinding.newBuilder()
        .setBindingId("b-g1")
        .setScope(BindingScope.newBuilder().setWorkspaceId("ws-g1").build())
        .setEventTypes(List.of("message.*"))
        .setRunnerId(RUNNER)
        .setDispatchPolicy(DispatchPolicy.newBuilder().setMode(DispatchMode.PARALLEL).build())
        .build();
  }

  private static void publishRunner(final LedgerConfig config, final LedgerTopics topics) {
    final RunnerManifest manifest =
        RunnerManifest.newBuilder()
            .setRunnerId(RUNNER)
            .setName("g1")
            .setLabel("G1")
            .setPool("default")
            .setVersion("1.0.0")
            .build();
    TopicWriter.write(config, topics.runners(), RUNNER, manifest);
  }

  private static KafkaProducer<String, byte[]> rawProducer(final LedgerConfig config) {
    final Properties props = new Properties();
    props.putAll(config.kafkaProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(
        props,
        new org.apache.kafka.common.serialization.StringSerializer(),
        new ByteArraySerializer());
  }
}
