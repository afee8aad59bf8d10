package dev.runledger.worker.spi;

import dev.runledger.schemas.config.LedgerConfig;

/**
 * Supplies the worker's {@link HostApiFactory}, discovered by {@link java.util.ServiceLoader}: list
 * the implementing class in {@code META-INF/services/dev.runledger.worker.spi.HostApiProvider}.
 * Needs a public no-argument constructor. A worker built without an explicit factory uses the first
 * provider found (or, failing that, a {@link HostApiFactory} listed the same way with a no-argument
 * constructor); without either, every host-API call fails {@code not_found}.
 */
public interface HostApiProvider {

  /** The factory, configured from the worker's configuration (e.g. the views' base URL). */
  HostApiFactory create(LedgerConfig config);
}
