package dev.runledger.worker.spi;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;

/**
 * Builds the {@link HostApi} of one attempt. The worker creates one per claim and hands it to the
 * runner through {@link RunSession#hostApi()}.
 *
 * <p>A worker finds its factory with {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.runledger.worker.spi.HostApiFactory}; the default is {@code
 * dev.runledger.worker.hostapi.HostApiService}). A factory made that way has no configuration yet:
 * the worker calls {@link #configure} once and uses the factory it returns, and closes that one
 * when it stops if it is {@link AutoCloseable}.
 */
public interface HostApiFactory {

  /** The host API for this attempt. */
  HostApi forRun(RunAccess run);

  /**
   * The factory to use with the worker's configuration (views URL, Kafka settings, limits). The
   * default returns this factory unchanged.
   */
  default HostApiFactory configure(final LedgerConfig config, final LedgerTopics topics) {
    return this;
  }
}
