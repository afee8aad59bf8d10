package dev.runledger.worker.hostapi;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.spi.HostApiFactory;
import dev.runledger.worker.spi.HostApiProvider;

/** Makes {@link HostApiService} the worker's default host API (found by ServiceLoader). */
public final class HostApiServiceProvider implements HostApiProvider {

  @Override
  public HostApiFactory create(final LedgerConfig config) {
    return new HostApiService(config, LedgerTopics.create(config));
  }
}
