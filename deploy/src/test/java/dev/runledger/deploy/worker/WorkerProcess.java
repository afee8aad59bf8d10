package dev.runledger.deploy.worker;

import static org.awaitility.Awaitility.await;

import dev.runledger.deploy.LedgerCli;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.schemas.config.LedgerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** A {@code ledger worker} in a child JVM, as deployed; its output goes to a log file. */
final class WorkerProcess {
  private final String workerId;
  private final Path log;
  private final Process process;

  private WorkerProcess(final String workerId, final Path log, final Process process) {
    this.workerId = workerId;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code ledger worker --config <file>} on the broker and topics of {@code stack} with
   * these settings plus {@code worker.id}, its files in {@code dir}, and waits until it says it is
   * running.
   */
  static WorkerProcess start(
      final String workerId,
      final LedgerConfig stack,
      final Map<String, String> settings,
      final Path dir) {
    try {
      final Properties props = new Properties();
      for (final String key :
          List.of(
              LedgerConfig.BOOTSTRAP_SERVERS,
              LedgerConfig.TOPIC_PREFIX,
              LedgerConfig.TOPIC_PARTITIONS)) {
        props.put(key, stack.get(key));
      }
      props.putAll(settings);
      props.put("worker.id", workerId);
      props.put(LedgerConfig.HTTP_PORT, "0");
      // loopback, where a service may serve without a tokens file
      props.put(HttpServer.HOST, "127.0.0.1");
      props.put(LedgerConfig.STATE_DIR, dir.resolve(workerId + "-state").toString());
      final Path config = dir.resolve(workerId + ".properties");
      try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
        props.store(out, "worker " + workerId);
      }
      final Path log = dir.resolve(workerId + ".log");
      final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      final Process process =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-Xmx384m",
                      "-XX:TieredStopAtLevel=1",
                      "-cp",
                      System.getProperty("java.class.path"),
                      LedgerCli.class.getName(),
                      "worker",
                      "--config",
                      config.toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      final WorkerProcess worker = new WorkerProcess(workerId, log, process);
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "worker " + workerId + " exited early:\n" + worker.logText());
                }
                return worker.logText().contains("is running");
              });
      return worker;
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String workerId() {
    return workerId;
  }

  /** {@code kill -9}: no shutdown hook, no release, no tombstone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** {@code kill -STOP}: the process freezes (no heartbeats, no lease renewals). */
  void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** {@code kill -CONT}: a paused process goes on where it stopped. */
  void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(final String signal) throws IOException, InterruptedException {
    final int exit =
        new ProcessBuilder("kill", signal, Long.toString(process.pid()))
            .inheritIO()
            .start()
            .waitFor();
    if (exit != 0) {
      throw new IllegalStateException("kill " + signal + " " + process.pid() + " exited " + exit);
    }
  }

  /** The process's live threads, from {@code /proc/<pid>/status} (Linux). */
  int threads() {
    return (int) procStatus("Threads:");
  }

  /** The process's resident set in KiB, from {@code /proc/<pid>/status} (Linux). */
  long rssKib() {
    return procStatus("VmRSS:");
  }

  private long procStatus(final String field) {
    try {
      for (final String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).strip().split("\\s+")[0]);
        }
      }
      throw new IllegalStateException("no " + field + " in /proc/" + process.pid() + "/status");
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (final IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** SIGTERM, then SIGKILL if it has not stopped in time. */
  void stop() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(40, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
  }
}
