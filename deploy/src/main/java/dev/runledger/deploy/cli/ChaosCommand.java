package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.LedgerSettings;
import dev.runledger.deploy.chaos.ChaosCheck;
import dev.runledger.deploy.chaos.ChaosChecker;
import dev.runledger.deploy.chaos.ServiceProcess;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ledger chaos}: a workload against a temporary stack while faults are injected on a seeded
 * schedule, then the {@link ChaosChecker} over the whole history.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description =
        "Start the whole system on an embedded broker (temporary data), bind the echo runner, send"
            + " events in several conversations for --duration while injecting faults on a seeded"
            + " schedule, then stop the faults, drain, and check the history (lost, doubled,"
            + " unended, double_terminal, out_of_order, fenced_applied, unseen, digest_mismatch,"
            + " verify). Prints the faults and anomalies, writes --out, exits 1 on any anomaly."
            + " Implemented faults: duplicate (an event sent again), garbage (undecodable records"
            + " on host-events and run-ledger), kill9 (kill -9 of the worker, a child JVM, and"
            + " its restart with the same worker.id), stop (kill -STOP of the worker for 3 s,"
            + " then -CONT).")
final class ChaosCommand implements Callable<Integer> {
  /** Fault kinds this command injects. */
  static final List<String> IMPLEMENTED = List.of("duplicate", "garbage", "kill9", "stop");

  /** Fault kinds of issue 12 that it does not inject yet (rejected with a clear error). */
  static final List<String> NOT_IMPLEMENTED = List.of("broker", "cluster");

  /** The faults that need the worker in a child process. */
  private static final List<String> PROCESS_FAULTS = List.of("kill9", "stop");

  private static final String WORKER_ID = "chaos-worker";
  private static final Duration FROZEN = Duration.ofSeconds(3);

  private static final String WORKSPACE = "chaos";
  private static final String BINDING_ID = "chaos-echo";
  private static final int CONVERSATIONS = 8;
  private static final Duration EVENT_PAUSE = Duration.ofMillis(100);
  private static final Duration FAULT_PAUSE = Duration.ofSeconds(2);
  private static final Duration PROGRESS = Duration.ofSeconds(10);

  @Mixin ConfigOptions config;

  @Option(
      names = "--duration",
      converter = DurationConverter.class,
      defaultValue = "2m",
      description = "How long the workload and the faults run (e.g. 45s, 2m, 1h; default 2m).")
  Duration duration;

  @Option(
      names = "--faults",
      defaultValue = "all",
      description = "all, or a comma-separated list of: duplicate, garbage, kill9, stop.")
  String faults;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the report as JSON here.")
  Path out;

  @Option(names = "--seed", description = "Seed of the fault schedule (default: random).")
  Long seed;

  @Option(
      names = "--drain",
      converter = DurationConverter.class,
      defaultValue = "2m",
      description = "How long the check waits for runs to end and views to catch up.")
  Duration drain;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    final List<String> kinds = kinds(faults);
    final long actualSeed = seed != null ? seed : new Random().nextLong();
    final PrintWriter text = spec.commandLine().getOut();
    final boolean childWorker = kinds.stream().anyMatch(PROCESS_FAULTS::contains);
    try (TemporaryStack temporary =
            TemporaryStack.start(
                config,
                "chaos",
                childWorker ? Map.of(DevStack.WORKER_ENABLED, "false") : Map.of());
        ServiceProcess worker =
            childWorker ? worker(temporary.stack(), temporary.dir().resolve("children")) : null) {
      final DevStack stack = temporary.stack();
      text.println(
          "runledger chaos: Kafka "
              + stack.bootstrapServers()
              + ", HTTP "
              + stack.baseUrl()
              + ", faults "
              + kinds
              + ", seed "
              + actualSeed);
      text.flush();
      final ApiClient api =
          new ApiClient(
              stack.baseUrl(), stack.config().find(CoreSettings.AUTH_INTERNAL_TOKEN).orElse(null));
      api.put(ApiPaths.binding(WORKSPACE, BINDING_ID), DemoCommand.binding(WORKSPACE))
          .orThrow("applying the chaos binding");
      stack.awaitRunner(DevStack.ECHO_RUNNER, drain);
      stack.awaitBinding(WORKSPACE, BINDING_ID, drain);
      final Map<String, Integer> injected = Collections.synchronizedMap(new LinkedHashMap<>());
      kinds.forEach(k -> injected.put(k, 0));
      final int events =
          workload(stack, worker, api, kinds, new Random(actualSeed), injected, text);
      text.println("sent " + events + " events; faults stopped, draining and checking…");
      text.flush();
      final ChaosChecker.Result result =
          new ChaosCheck(stack.config(), api)
              .check(
                  drain,
                  s -> {
                    text.println(s);
                    text.flush();
                  });
      print(text, injected, result);
      if (out != null) {
        write(out, injected, result);
      }
      return result.clean() ? 0 : 1;
    }
  }

  /** The fault kinds of {@code --faults}; unknown or not implemented ones are an error. */
  List<String> kinds(final String option) {
    if ("all".equals(option.strip())) {
      return IMPLEMENTED;
    }
    final List<String> kinds = new ArrayList<>();
    for (final String kind : option.split(",")) {
      final String k = kind.strip();
      if (NOT_IMPLEMENTED.contains(k)) {
        throw new ParameterException(
            spec.commandLine(), "--faults: '" + k + "' is not implemented yet; use " + IMPLEMENTED);
      }
      if (!IMPLEMENTED.contains(k)) {
        throw new ParameterException(
            spec.commandLine(), "--faults: unknown fault kind '" + k + "'; known: " + IMPLEMENTED);
      }
      if (!kinds.contains(k)) {
        kinds.add(k);
      }
    }
    return kinds;
  }

  /** Sends events until {@code duration} is over, a fault every {@link #FAULT_PAUSE}. */
  private int workload(
      final DevStack stack,
      final ServiceProcess worker,
      final ApiClient api,
      final List<String> kinds,
      final Random random,
      final Map<String, Integer> injected,
      final PrintWriter text) {
    final long end = System.nanoTime() + duration.toNanos();
    long nextProgress = System.nanoTime() + PROGRESS.toNanos();
    final long began = System.nanoTime();
    final List<ObjectNode> sent = new CopyOnWriteArrayList<>();
    final AtomicBoolean done = new AtomicBoolean();
    final AtomicReference<RuntimeException> failed = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> garbage =
        new KafkaProducer<>(
            stack.config().kafkaProperties(),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      // faults on their own thread: a restart or a freeze does not stop the workload
      final Thread faulter =
          new Thread(
              () -> {
                try {
                  while (!done.get()) {
                    sleep(FAULT_PAUSE);
                    if (done.get() || kinds.isEmpty() || sent.isEmpty()) {
                      continue;
                    }
                    final String kind = kinds.get(random.nextInt(kinds.size()));
                    inject(kind, stack, worker, api, sent, random, garbage);
                    injected.merge(kind, 1, Integer::sum);
                  }
                } catch (final RuntimeException e) {
                  failed.set(e);
                }
              },
              "chaos-faults");
      faulter.start();
      while (System.nanoTime() < end && failed.get() == null) {
        final ObjectNode event =
            DemoCommand.event(
                WORKSPACE, "c-" + random.nextInt(CONVERSATIONS), "chaos message " + sent.size());
        api.post(ApiPaths.EVENTS, event).orThrow("sending a chaos event");
        sent.add(event);
        if (System.nanoTime() >= nextProgress) {
          text.printf(
              "%4d s: %d events, faults %s%n",
              (System.nanoTime() - began) / 1_000_000_000L, sent.size(), injected);
          text.flush();
          nextProgress += PROGRESS.toNanos();
        }
        sleep(EVENT_PAUSE);
      }
      done.set(true);
      join(faulter);
      garbage.flush();
    }
    if (failed.get() != null) {
      throw failed.get();
    }
    return sent.size();
  }

  private static void inject(
      final String kind,
      final DevStack stack,
      final ServiceProcess worker,
      final ApiClient api,
      final List<ObjectNode> sent,
      final Random random,
      final KafkaProducer<byte[], byte[]> producer) {
    switch (kind) {
      case "duplicate" -> api.post(ApiPaths.EVENTS, sent.get(random.nextInt(sent.size())));
      case "garbage" -> {
        final byte[] junk = new byte[1 + random.nextInt(64)];
        random.nextBytes(junk);
        final byte[] key = ("garbage-" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(stack.topics().hostEvents().name(), key, junk));
        producer.send(new ProducerRecord<>(stack.topics().runLedger().name(), key, junk));
      }
      case "kill9" -> {
        worker.kill();
        worker.start();
      }
      case "stop" -> {
        worker.pause();
        sleep(FROZEN);
        worker.resume();
      }
      default -> throw new IllegalArgumentException("unknown fault kind " + kind);
    }
  }

  private static void print(
      final PrintWriter text,
      final Map<String, Integer> injected,
      final ChaosChecker.Result result) {
    text.println();
    text.printf("%-20s %s%n", "FAULT", "COUNT");
    injected.forEach((kind, count) -> text.printf("%-20s %d%n", kind, count));
    text.println();
    text.printf("%-20s %s%n", "ANOMALY", "COUNT");
    result.anomalies().forEach((kind, count) -> text.printf("%-20s %d%n", kind, count));
    result.examples().forEach((kind, subjects) -> text.println(kind + ": " + subjects));
    text.println();
    text.println(
        result.events()
            + " events, "
            + result.runs()
            + " runs: "
            + (result.clean() ? "no anomaly" : "ANOMALIES found"));
    text.flush();
  }

  private static void write(
      final Path file, final Map<String, Integer> injected, final ChaosChecker.Result result) {
    final ObjectNode report = AvroJson.mapper().createObjectNode();
    final ArrayNode faults = report.putArray("faults");
    injected.forEach((kind, count) -> faults.addObject().put("kind", kind).put("count", count));
    final ObjectNode anomalies = report.putObject("anomalies");
    result.anomalies().forEach(anomalies::put);
    report.put("events", result.events());
    report.put("runs", result.runs());
    try {
      Files.writeString(
          file,
          AvroJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report),
          StandardCharsets.UTF_8);
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code ledger worker} in a child JVM on the stack's broker and topics, with a stable {@code
   * worker.id}, so a restart after {@code kill -9} is the same worker.
   */
  private static ServiceProcess worker(final DevStack stack, final Path dir) {
    final Map<String, String> settings = new LinkedHashMap<>(LedgerSettings.LOCAL_STACK);
    for (final String key :
        List.of(
            LedgerConfig.BOOTSTRAP_SERVERS,
            LedgerConfig.TOPIC_PREFIX,
            LedgerConfig.TOPIC_PARTITIONS)) {
      settings.put(key, stack.config().get(key));
    }
    settings.put("worker.id", WORKER_ID);
    settings.put(LedgerConfig.HTTP_PORT, "0");
    settings.put(LedgerConfig.STATE_DIR, dir.resolve(WORKER_ID + "-state").toString());
    return ServiceProcess.start(WORKER_ID, "worker", settings, dir);
  }

  private static void join(final Thread thread) {
    try {
      thread.join();
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void sleep(final Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
