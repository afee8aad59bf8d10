package dev.runledger.deploy.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Whether a Docker engine answers. Testcontainers' own search tries several strategies and logs an
 * error for each when there is none, so it is asked only when something points to an engine: an
 * environment variable, a Docker socket or a {@code ~/.testcontainers.properties}. Without one the
 * answer is no at once, with one line of log.
 */
final class DockerProbe {
  private static final Logger LOG = LoggerFactory.getLogger(DockerProbe.class);

  private DockerProbe() {}

  /** True when a Docker engine answers. */
  static boolean answers() {
    final boolean windows =
        System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    final Optional<String> hint =
        windows
            ? Optional.of("Windows")
            : hint(System.getenv(), Path.of(System.getProperty("user.home")), Files::exists);
    if (hint.isEmpty()) {
      LOG.info(
          "no Docker engine (no DOCKER_HOST, Docker socket or ~/.testcontainers.properties):"
              + " the tests use the embedded Kafka broker");
      return false;
    }
    final boolean answers = DockerClientFactory.instance().isDockerAvailable();
    LOG.info(
        "Docker engine {} ({})",
        answers ? "found" : "not answering, the tests use the embedded Kafka broker",
        hint.get());
    return answers;
  }

  /**
   * What points to a Docker engine: {@code DOCKER_HOST} or {@code TESTCONTAINERS_HOST_OVERRIDE},
   * else the first of {@code ~/.testcontainers.properties} and the usual Docker sockets that {@code
   * exists}; empty when nothing does.
   */
  static Optional<String> hint(
      final Map<String, String> env, final Path home, final Predicate<Path> exists) {
    for (final String variable : List.of("DOCKER_HOST", "TESTCONTAINERS_HOST_OVERRIDE")) {
      final String value = env.get(variable);
      if (value != null && !value.isBlank()) {
        return Optional.of(variable + "=" + value);
      }
    }
    final List<Path> candidates = new ArrayList<>();
    candidates.add(home.resolve(".testcontainers.properties"));
    candidates.add(Path.of("/var/run/docker.sock"));
    candidates.add(home.resolve(".docker/run/docker.sock"));
    candidates.add(home.resolve(".docker/desktop/docker.sock"));
    final String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank()) {
      candidates.add(Path.of(runtime, "docker.sock"));
    }
    return candidates.stream().filter(exists).findFirst().map(Path::toString);
  }
}
