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
 * {@code ledger dev} as a process, the way an operator or a service manager treats it.
 *
 * <p>Killed with {@code kill -9} and started again on the same data directory, it runs again as the
 * same static members of both Streams groups: the dead members are replaced, not waited for. The
 * Streams sessions there last five minutes, so a restart that had to wait for the dead members to
 * time out could not reach RUNNING (the services wait two minutes for it) and the run of an event
 * sent after the restart could not end.
 *
 * <p>Sent SIGTERM as a whole process group (as systemd or a container runtime stops a unit, which
 * signals the embedded broker at the same moment as the services), it exits within a service
 * manager's usual grace period instead of retrying a broker that is gone.
 */
@ExtendWith(KafkaExtension.class)
class DevProcessEndToEndTest {
  private static final Duration STARTED = Duration.ofSeconds(150);
  private static final Duration GRACE = Duration.ofSeconds(30);
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

  @Test
  void shouldExitWithinTheGracePeriodWhenItsWholeProcessGroupGetsSigterm() throws Exception {
    // given ledger dev on its embedded broker, in a process group of its own, having run a run
    final int port = StackBuilder.freePort();
    final Process dev =
        startDev(
            List.of(
                "--data-dir", dir.resolve("group").toString(), "--port", Integer.toString(port)),
            dir.resolve("group.log"));
    try {
      final TestApi api = new TestApi("http://127.0.0.1:" + port);
      api.bind("b-group", Binding.of(WORKSPACE, DevStack.ECHO_RUNNER));
      assertThat(completedRunOf(api, "group")).isNotNull();
      final List<ProcessHandle> group = dev.descendants().toList();
      assertThat(group).as("the embedded broker's JVM").isNotEmpty();

      // when the whole group gets SIGTERM at once, the broker included
      final int signalled =
          new ProcessBuilder("kill", "-TERM", "--", "-" + dev.pid()).inheritIO().start().waitFor();
      assertThat(signalled).isZero();

      // then dev and the broker exit within a service manager's grace period (systemd's stop
      // timeout is 90 s, Kubernetes' 30 s), dev with status 0 as after Ctrl-C
      assertThat(dev.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS))
          .as("ledger dev exited within %s; its log:%n%s", GRACE, logOf(dir.resolve("group.log")))
          .isTrue();
      assertThat(group).noneMatch(ProcessHandle::isAlive);
    } finally {
      dev.destroyForcibly();
      dev.descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static String logOf(final Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** Sends one event (once the bindings are read) and waits for its run to complete. */
  private static JsonNode completedRunOf(final TestApi api, final String conversation) {
    api.awaitBinding(WORKSPACE, conversation);
    final String runId = api.runOf(api.send(WORKSPACE, conversation, "hello " + conversation));
    return api.awaitStatus(runId, "completed");
  }

  /** {@code ledger dev} on the test broker, with five-minute Streams sessions. */
  private static Process startDev(
      final TestBroker kafka, final String prefix, final int port, final Path data, final Path log)
      throws IOException {
    return startDev(
        List.of(
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--data-dir",
            data.toString(),
            "--port",
            Integer.toString(port),
            "--set",
            LedgerConfig.TOPIC_PREFIX + "=" + prefix,
            "--set",
            "streams.session.timeout.ms=300000"),
        log);
  }

  /**
   * {@code ledger dev ARGS} in a child JVM that leads a process group of its own ({@code setsid}),
   * as a service manager starts it; waits until it says it runs.
   */
  private static Process startDev(final List<String> args, final Path log) throws IOException {
    final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    final List<String> command =
        new ArrayList<>(
            List.of(
                "setsid",
                java,
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                LedgerCli.class.getName(),
                "dev"));
    command.addAll(args);
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
