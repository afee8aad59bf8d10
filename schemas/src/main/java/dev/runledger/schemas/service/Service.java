package dev.runledger.schemas.service;

/**
 * The shape of every deployable part: start it, ask whether it is healthy, stop it. A {@code main}
 * only parses config, calls {@link #start()} and adds a shutdown hook that calls {@link #close()}.
 */
public interface Service extends AutoCloseable {

  /** A short name for logs and health reports, e.g. {@code orchestrator}. */
  String name();

  /** Starts the service and returns once it is serving. */
  void start();

  /** True while the service is running normally. */
  boolean healthy();

  /** Stops the service and releases what it holds. Idempotent. */
  @Override
  void close();
}
