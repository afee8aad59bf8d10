package dev.runledger.deploy.worker;

import dev.runledger.deploy.chaos.ServiceProcess;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.schemas.config.LedgerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A {@code ledger worker} in a child JVM, as deployed ({@link ServiceProcess}). */
final class WorkerProcess {
  private final String workerId;
  private final ServiceProcess process;

  private WorkerProcess(final String workerId, final ServiceProcess process) {
    this.workerId = workerId;
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
    final Map<String, String> props = new HashMap<>();
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
    return new WorkerProcess(workerId, ServiceProcess.start(workerId, "worker", props, dir));
  }

  String workerId() {
    return workerId;
  }

  /** {@code kill -9}: no shutdown hook, no release, no tombstone. */
  void kill() {
    process.kill();
  }

  /** {@code kill -STOP}: the process freezes (no heartbeats, no lease renewals). */
  void pause() {
    process.pause();
  }

  /** {@code kill -CONT}: a paused process goes on where it stopped. */
  void resume() {
    process.resume();
  }

  String logText() {
    return process.logText();
  }

  /** SIGTERM, then SIGKILL if it has not stopped in time. */
  void stop() {
    process.close();
  }
}
