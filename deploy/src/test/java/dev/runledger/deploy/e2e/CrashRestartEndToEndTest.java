package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.LedgerCli;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.orchestrator.topology.OrchestratorSettings;
import dev.runledger.projections.ProjectionSettings;
import dev.runledger.schemas.config.LedgerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger dev} killed with {@code kill -9} and started again on the same data directory runs
 * again as the same static members of both Streams groups: the dead members are replaced, not
 * waited for. The Streams sessions here last five minutes, so a restart that had to wait for the
 * dead members to time out could not reach RUNNING (the services wait two minutes for it) and the
 * run of an event sent after the restart could not end.
 */
@ExtendWith(KafkaExtension.class)
class CrashRestartEndToEndTest {
  private static final Duration STARTED = Duration.ofSeconds(150);
  private static final String WORKSPACE = "ws-crash";

  @TempDir Path dir;

  @Test
  void shouldRunAgainAsTheSameStaticMembersWhenDevIsKilledAndStartedOnItsDataDirectory(
      final TestBroker kafka) throws Exception {
    // given ledger dev in its own JVM on the test broker, with five-minute Streams sessions
    final String prefix = StackBuilder.prefix("crash");
    final int port = StackBuilder.freePort();
    final Path data = dir.resolve("data");
    final Process first = startDev(kafka, prefix, port, data, dir.resolve("first.log"));
    final String instanceId =
        Files.readString(data.resolve("instance-id"), StandardCharsets.UTF_8).strip();
    final TestApi api = new TestApi("http://127.0.0.1:" + port);
    api.bind("b-crash", Binding.of(WORKSPACE, DevStack.ECHO_RUNNER));
    assertThat(completedRunOf(api, "before")).isNotNull();

    // when it is killed with kill -9 and started again on the same data directory
    first.destroyForcibly().waitFor();
    final Process second = startDev(kafka, prefix, port, data, dir.resolve("second.log"));
    try {
      // then it kept its instance id, runs a new event's run to its end, and each Streams group
      // has one member: the restarted one, under that id
      assertThat(Files.readString(data.resolve("instance-id"), StandardCharsets.UTF_8).strip())
          .isEqualTo(instanceId);
      assertThat(completedRunOf(api, "after")).isNotNull();
      final LedgerConfig config =
          LedgerConfig.of(
              Map.of(
                  LedgerConfig.BOOTSTRAP_SERVERS,
                  kafka.bootstrapServers(),
                  LedgerConfig.TOPIC_PREFIX,
                  prefix));
      try (Admin admin = Admin.create(config.kafkaProperties())) {
        for (final String group :
            List.of(
                OrchestratorSettings.applicationId(config),
                ProjectionSettings.applicationId(config))) {
          final ConsumerGroupDescription described =
              admin.describeConsumerGroups(List.of(group)).all().get().get(group);
          assertThat(described.members()).as("members of %s", group).hasSize(1);
          final MemberDescription member = described.members().iterator().next();
          assertThat(member.groupInstanceId())
              .as("static member id in %s", group)
              .hasValueSatisfying(id -> assertThat(id).startsWith(instanceId + "-"));
        }
      }
    } finally {
      second.destroy();
      if (!second.waitFor(60, TimeUnit.SECONDS)) {
        second.destroyForcibly().waitFor();
      }
    }
  }

  /** Sends one event (once the bindings are read) and waits for its run to complete. */
  private static JsonNode completedRunOf(final TestApi api, final String conversation) {
    api.awaitBinding(WORKSPACE, conversation);
    final String runId = api.runOf(api.send(WORKSPACE, conversation, "hello " + conversation));
    return api.awaitStatus(runId, "completed");
  }

  private static Process startDev(
      final TestBroker kafka, final String prefix, final int port, final Path data, final Path log)
      throws IOException {
    final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    final List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                LedgerCli.class.getName(),
                "dev",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--data-dir",
                data.toString(),
                "--port",
                Integer.toString(port),
                "--set",
                LedgerConfig.TOPIC_PREFIX + "=" + prefix,
                "--set",
                "streams.session.timeout.ms=300000"));
    final Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      await()
          .atMost(STARTED)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                final String text =
                    Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
                if (!process.isAlive()) {
                  throw new IllegalStateException("ledger dev exited early:\n" + text);
                }
                return text.contains("runledger is running");
              });
      return process;
    } catch (final RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }
}
