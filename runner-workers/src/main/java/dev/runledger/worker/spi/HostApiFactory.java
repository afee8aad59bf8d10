package dev.runledger.worker.spi;

/**
 * Builds the {@link HostApi} of one attempt. The worker creates one per claim and hands it to the
 * runner through {@link RunSession#hostApi()}.
 */
public interface HostApiFactory {

  /** The host API for this attempt. */
  HostApi forRun(RunAccess run);
}
