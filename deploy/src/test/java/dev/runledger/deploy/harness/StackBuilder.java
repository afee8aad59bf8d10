package dev.runledger.deploy.harness;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.LedgerSettings;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.http.TokenFile;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The settings of an end-to-end stack on the shared broker: a topic prefix of its own ({@code
 * t-<name>-<random>.}), one replica ({@link LedgerSettings#SINGLE_BROKER}), 3 partitions, HTTP on a
 * free loopback port (authentication off unless a suite sets {@code auth.tokens.file}), one random
 * {@code auth.internal.token}, plus what a suite adds. {@link #config} gives the settings alone;
 * {@link #build} a {@link TestStack} that runs them.
 */
public final class StackBuilder {
  private final String name;
  private final Map<String, String> settings = new LinkedHashMap<>();
  private final List<String> runners = new ArrayList<>();
  private boolean fixedHttpPort;

  private StackBuilder(final String name) {
    this.name = name;
    settings.putAll(LedgerSettings.SINGLE_BROKER);
    settings.put(LedgerConfig.TOPIC_PARTITIONS, "3");
    settings.put(LedgerConfig.HTTP_PORT, "0");
    settings.put(HttpServer.HOST, "127.0.0.1");
    // one internal credential for every stack and instance made from these settings, so they
    // forward requests to each other as a deployment's services do
    settings.put(CoreSettings.AUTH_INTERNAL_TOKEN.key(), TokenFile.newToken());
  }

  /** A stack named {@code name} (the name goes into its topic prefix). */
  public static StackBuilder named(final String name) {
    return new StackBuilder(name);
  }

  /** A fresh topic prefix, e.g. {@code t-pipeline-1a2b3c4d.}. */
  public static String prefix(final String name) {
    return "t-"
        + name.toLowerCase(Locale.ROOT)
        + "-"
        + UUID.randomUUID().toString().substring(0, 8)
        + ".";
  }

  public StackBuilder set(final String key, final String value) {
    settings.put(key, value);
    return this;
  }

  public StackBuilder partitions(final int partitions) {
    return set(LedgerConfig.TOPIC_PARTITIONS, Integer.toString(partitions));
  }

  /** No runner worker in the stack (workers run elsewhere). */
  public StackBuilder withoutWorker() {
    return set(DevStack.WORKER_ENABLED, "false");
  }

  /**
   * A free HTTP port chosen up front instead of 0, so the worker's host API finds the views at its
   * default {@code worker.views.url} ({@code http://localhost:<http.port>}).
   */
  public StackBuilder fixedHttpPort() {
    fixedHttpPort = true;
    return this;
  }

  /**
   * Short Kafka Streams sessions: a closed instance does not leave its group, so a new one takes
   * over after the session timeout; the broker's minimum keeps that short.
   */
  public StackBuilder shortStreamsSessions() {
    return set("streams.session.timeout.ms", "6000").set("streams.heartbeat.interval.ms", "1000");
  }

  /** Once started, wait until the orchestrator knows this runner. */
  public StackBuilder awaitRunner(final String runnerId) {
    runners.add(runnerId);
    return this;
  }

  /** The settings on {@code kafka} with a fresh topic prefix and no state directory. */
  public LedgerConfig config(final TestBroker kafka) {
    final Map<String, String> all = new LinkedHashMap<>(settings);
    all.put(LedgerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    all.put(LedgerConfig.TOPIC_PREFIX, prefix(name));
    if (fixedHttpPort) {
      all.put(LedgerConfig.HTTP_PORT, Integer.toString(freePort()));
    }
    return LedgerConfig.of(all);
  }

  /** The settings on {@code kafka} with a fresh topic prefix and this state directory. */
  public LedgerConfig config(final TestBroker kafka, final Path stateDir) {
    return config(kafka).with(Map.of(LedgerConfig.STATE_DIR, stateDir.toString()));
  }

  /** A JUnit extension that runs this stack for one test class. */
  public TestStack build() {
    return new TestStack(this);
  }

  String name() {
    return name;
  }

  List<String> runners() {
    return List.copyOf(runners);
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
