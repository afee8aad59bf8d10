package dev.runledger.deploy.cli;

import picocli.CommandLine.Option;

/** {@code --url}: where the runledger HTTP API is. */
final class ApiOptions {
  @Option(
      names = "--url",
      description = "Base URL of the runledger HTTP API (default ${DEFAULT-VALUE}).",
      defaultValue = "http://localhost:8080")
  String url;

  /** A client of the API at {@code --url}. */
  ApiClient client() {
    return new ApiClient(url);
  }
}
