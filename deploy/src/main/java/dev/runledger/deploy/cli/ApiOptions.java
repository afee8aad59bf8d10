package dev.runledger.deploy.cli;

import picocli.CommandLine.Option;

/** {@code --url} and {@code --token}: where the runledger HTTP API is and who calls it. */
final class ApiOptions {
  @Option(
      names = "--url",
      description = "Base URL of the runledger HTTP API (default ${DEFAULT-VALUE}).",
      defaultValue = "http://localhost:8080")
  String url;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "API token sent as Authorization: Bearer (default: the RUNLEDGER_TOKEN environment"
              + " variable; none when neither is set).",
      defaultValue = "${env:RUNLEDGER_TOKEN}",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER)
  String token;

  /** A client of the API at {@code --url}, sending {@code --token}. */
  ApiClient client() {
    return new ApiClient(url, token);
  }
}
