package dev.runledger.worker.runners;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.RunnerProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * The external runners declared in the worker's configuration: one {@code proc:<name>} per {@code
 * worker.runners.proc.<name>.command} and one {@code http:<name>} per {@code
 * worker.runners.http.<name>.url}. Found by {@link java.util.ServiceLoader}.
 */
public final class ExternalRunnerProvider implements RunnerProvider {

  @Override
  public List<AgentRunner> runners(final LedgerConfig config) {
    final List<AgentRunner> runners = new ArrayList<>();
    for (final RunnerDeclaration d : RunnerDeclaration.all(config, "proc", "command")) {
      runners.add(
          new ProcRunner(
              d.manifest("stdio runner " + d.name()), ProcRunnerSettings.from(d), System.getenv()));
    }
    final List<RunnerDeclaration> http = RunnerDeclaration.all(config, "http", "url");
    if (!http.isEmpty()) {
      final HostApiEndpoint endpoint =
          new HostApiEndpoint(
              config.get(HttpRunnerSettings.HOST),
              config.get(HttpRunnerSettings.PORT),
              config.find(HttpRunnerSettings.ADVERTISED_URL).orElse(null));
      for (final RunnerDeclaration d : http) {
        runners.add(
            new HttpRunner(
                d.manifest("http runner " + d.name()), HttpRunnerSettings.from(d), endpoint));
      }
    }
    return runners;
  }
}
