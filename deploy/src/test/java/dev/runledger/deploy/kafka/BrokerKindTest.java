package dev.runledger.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class BrokerKindTest {
  private static final BooleanSupplier DOCKER = () -> true;
  private static final BooleanSupplier NO_DOCKER = () -> false;
  private static final BooleanSupplier NEVER_ASKED =
      () -> {
        throw new AssertionError("asked whether Docker answers");
      };

  @Test
  void shouldTakeAContainerWhenDockerAnswersAndTheChoiceIsAutomatic() {
    assertThat(BrokerKind.choose(null, DOCKER)).isEqualTo(BrokerKind.TESTCONTAINERS);
    assertThat(BrokerKind.choose("", DOCKER)).isEqualTo(BrokerKind.TESTCONTAINERS);
    assertThat(BrokerKind.choose("auto", DOCKER)).isEqualTo(BrokerKind.TESTCONTAINERS);
  }

  @Test
  void shouldTakeTheEmbeddedBrokerWhenNoDockerAnswersAndTheChoiceIsAutomatic() {
    assertThat(BrokerKind.choose(null, NO_DOCKER)).isEqualTo(BrokerKind.EMBEDDED);
    assertThat(BrokerKind.choose(" Auto ", NO_DOCKER)).isEqualTo(BrokerKind.EMBEDDED);
  }

  @Test
  void shouldNotAskForDockerWhenTheEmbeddedBrokerIsForced() {
    assertThat(BrokerKind.choose("embedded", NEVER_ASKED)).isEqualTo(BrokerKind.EMBEDDED);
    assertThat(BrokerKind.choose("EMBEDDED", NEVER_ASKED)).isEqualTo(BrokerKind.EMBEDDED);
  }

  @Test
  void shouldTakeAContainerWhenForcedAndDockerAnswers() {
    assertThat(BrokerKind.choose("testcontainers", DOCKER)).isEqualTo(BrokerKind.TESTCONTAINERS);
  }

  @Test
  void shouldFailNamingThePropertyWhenContainersAreForcedWithoutDocker() {
    assertThatThrownBy(() -> BrokerKind.choose("testcontainers", NO_DOCKER))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "-Drunledger.test.broker=testcontainers, but no Docker engine answers")
        .hasMessageContaining("-Drunledger.test.broker=embedded");
  }

  @Test
  void shouldRefuseAnUnknownChoice() {
    assertThatThrownBy(() -> BrokerKind.choose("docker", NEVER_ASKED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "-Drunledger.test.broker must be embedded, testcontainers or auto, got 'docker'");
  }

  @Test
  void shouldSeeNoDockerWhenNothingPointsToOne() {
    assertThat(DockerProbe.hint(Map.of(), Path.of("/home/u"), path -> false)).isEmpty();
  }

  @Test
  void shouldPointToDockerFromTheEnvironmentOrASocket() {
    final Path home = Path.of("/home/u");

    assertThat(DockerProbe.hint(Map.of("DOCKER_HOST", "tcp://d:2375"), home, path -> false))
        .contains("DOCKER_HOST=tcp://d:2375");
    assertThat(
            DockerProbe.hint(
                Map.of("XDG_RUNTIME_DIR", "/run/user/1000"),
                home,
                Set.of(Path.of("/run/user/1000/docker.sock"))::contains))
        .contains("/run/user/1000/docker.sock");
    assertThat(DockerProbe.hint(Map.of(), home, Set.of(Path.of("/var/run/docker.sock"))::contains))
        .contains("/var/run/docker.sock");
  }

  @Test
  void shouldConfigureTheContainerLikeTheEmbeddedBroker() {
    assertThat(KafkaContainerBroker.envName("share.coordinator.state.topic.replication.factor"))
        .isEqualTo("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR");
    assertThat(BrokerSettings.singleNode())
        .containsEntry("share.coordinator.state.topic.replication.factor", "1")
        .doesNotContainKeys("listeners", "process.roles", "node.id", "log.dirs");
  }
}
