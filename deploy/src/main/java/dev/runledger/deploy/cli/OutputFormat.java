package dev.runledger.deploy.cli;

/** How a command prints records: {@code -o json|yaml|table}. */
enum OutputFormat {
  JSON,
  YAML,
  TABLE
}
