package dev.runledger.worker;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.HostApiFactory;
import dev.runledger.worker.spi.HostApiProvider;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the worker's default {@link HostApiFactory}. */
public final class HostApis {
  private static final Logger LOG = LoggerFactory.getLogger(HostApis.class);

  private HostApis() {}

  /**
   * The factory of the first {@link HostApiProvider} listed in {@code META-INF/services} on the
   * classpath; else the first {@link HostApiFactory} listed there, {@linkplain
   * HostApiFactory#configure configured} for this worker; else {@link #unavailable()}.
   */
  public static HostApiFactory discover(final LedgerConfig config, final LedgerTopics topics) {
    final Optional<HostApiProvider> provider = first(HostApiProvider.class);
    if (provider.isPresent()) {
      LOG.debug("host API from provider {}", provider.get().getClass().getName());
      return provider.get().create(config);
    }
    final Optional<HostApiFactory> factory = first(HostApiFactory.class);
    if (factory.isPresent()) {
      LOG.debug("host API from {}", factory.get().getClass().getName());
      return factory.get().configure(config, topics);
    }
    LOG.info("no host API implementation on the classpath; runners' host-API calls fail not_found");
    return unavailable();
  }

  /**
   * The first loadable service of this type; a broken {@code META-INF/services} entry is logged.
   */
  private static <T> Optional<T> first(final Class<T> type) {
    try {
      return ServiceLoader.load(type, HostApis.class.getClassLoader()).findFirst();
    } catch (final ServiceConfigurationError e) {
      LOG.error(
          "cannot load the {} listed on the classpath: {}", type.getSimpleName(), e.toString());
      return Optional.empty();
    }
  }

  /** A factory whose host APIs refuse every call with {@code not_found}. */
  public static HostApiFactory unavailable() {
    return run ->
        (method, params) -> {
          throw new AgentApiException(
              AgentApiException.NOT_FOUND,
              "this worker has no host API implementation; method " + method + " is unavailable");
        };
  }
}
