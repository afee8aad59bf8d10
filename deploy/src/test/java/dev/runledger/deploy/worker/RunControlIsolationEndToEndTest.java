package dev.runledger.deploy.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runledger.avro.CancelRun;
import dev.runledger.avro.RunCommand;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TopicWriter;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import dev.runledger.worker.control.RunControl;
import dev.runledger.worker.control.RunControlReader;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The worker's run-control reader applies only committed commands. */
@ExtendWith(KafkaExtension.class)
class RunControlIsolationEndToEndTest {
  @Test
  void shouldNeverApplyACancelOfAnAbortedTransaction(final TestBroker kafka) throws Exception {
    // given a worker's run-control reader that has caught up
    final LedgerConfig config = StackBuilder.named("rc").config(kafka);
    final LedgerTopics topics = LedgerTopics.create(config);
    TopicAdmin.createAll(config, topics);
    final Topic<String, RunCommand> runControl = topics.runControl();
    final RunControl control = new RunControl(1000, 100);
    try (RunControlReader reader =
        new RunControlReader(
            config.kafkaProperties(),
            "w-rc",
            runControl.name(),
            runControl.valueSerde().deserializer(),
            control)) {
      reader.start(Duration.ofSeconds(60));

      // when a cancel is written in a transaction that aborts, then a cancel of another run
      try (KafkaProducer<String, RunCommand> transactional = transactional(config, runControl)) {
        transactional.initTransactions();
        transactional.beginTransaction();
        transactional
            .send(new ProducerRecord<>(runControl.name(), "r-aborted", cancel("r-aborted")))
            .get();
        transactional.abortTransaction();
      }
      TopicWriter.write(config, runControl, "r-committed", cancel("r-committed"));

      // then the committed one is applied and the aborted one never is
      await().atMost(TestApi.WAIT).until(() -> control.cancellation("r-committed").isPresent());
      assertThat(control.cancellation("r-aborted")).isEmpty();
    }
  }

  private static RunCommand cancel(final String runId) {
    return RunCommand.newBuilder()
        .setRunId(runId)
        .setKind(
            CancelRun.newBuilder().setReason("requested").setRequestedBy("orchestrator").build())
        .build();
  }

  private static KafkaProducer<String, RunCommand> transactional(
      final LedgerConfig config, final Topic<String, RunCommand> topic) {
    final Properties props = config.kafkaProperties();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "rc-test-" + System.nanoTime());
    return new KafkaProducer<>(
        props, topic.keySerde().serializer(), topic.valueSerde().serializer());
  }
}
