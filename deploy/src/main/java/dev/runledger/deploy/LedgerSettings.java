package dev.runledger.deploy;

import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.http.HttpServerSettings;
import dev.runledger.gateway.GatewaySettings;
import dev.runledger.gateway.registry.RegistrySettings;
import dev.runledger.orchestrator.dispatch.FilterLimits;
import dev.runledger.orchestrator.topology.OrchestratorSettings;
import dev.runledger.projections.ProjectionSettings;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import dev.runledger.worker.WorkerSettings;
import dev.runledger.worker.hostapi.HostApiSettings;
import dev.runledger.worker.runners.HttpRunnerSettings;
import dev.runledger.worker.runners.ProcRunnerSettings;
import dev.runledger.worker.runners.RunnerSettings;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every setting of every module: the keys a configuration may hold. {@link #warnUnknownKeys} logs
 * the keys it holds that none of these defines (typos such as {@code worker.slot}); the README's
 * configuration tables are kept in step with these by a test.
 */
public final class LedgerSettings {
  /** Every definition, the shared ones first. */
  public static final List<Setting<?>> ALL =
      Stream.of(
              CoreSettings.ALL,
              HttpServerSettings.ALL,
              DevStack.SETTINGS,
              GatewaySettings.ALL,
              RegistrySettings.ALL,
              OrchestratorSettings.ALL,
              FilterLimits.ALL,
              WorkerSettings.ALL,
              HostApiSettings.ALL,
              RunnerSettings.ALL,
              ProcRunnerSettings.ALL,
              HttpRunnerSettings.ALL,
              ProjectionSettings.ALL)
          .flatMap(List::stream)
          .toList();

  /**
   * The defaults of a stack on a single broker ({@code ledger dev}, {@code demo}, {@code bench} and
   * the tests' stacks) where a production cluster's differ: one replica per topic, and so the
   * broker's own {@code min.insync.replicas}. A configuration file still overrides them.
   */
  public static final Map<String, String> SINGLE_BROKER =
      Map.of(LedgerConfig.TOPIC_REPLICATION, "1");

  /**
   * The defaults of a stack for one machine ({@code ledger dev}, {@code demo}, {@code bench}):
   * those of {@link #SINGLE_BROKER}, and HTTP bound to the loopback interface, where it may serve
   * without a tokens file (authentication off, said at start). A configuration file still overrides
   * them.
   */
  public static final Map<String, String> LOCAL_STACK =
      Map.of(LedgerConfig.TOPIC_REPLICATION, "1", HttpServer.HOST, "127.0.0.1");

  private LedgerSettings() {}

  /** Logs a WARN for each key of {@code config} that no definition knows, then returns it. */
  public static LedgerConfig warnUnknownKeys(final LedgerConfig config) {
    config.warnUnknownKeys(ALL);
    return config;
  }
}
