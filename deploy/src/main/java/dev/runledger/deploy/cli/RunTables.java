package dev.runledger.deploy.cli;

import java.util.List;

/** The table columns the commands print records with. */
final class RunTables {
  /** Runs, as {@code demo} prints them. */
  static final List<Printer.Column> RUNS =
      Printer.columns(
          "RUN_ID=run_id STATUS=status CONVERSATION=conversation_id RUNNER=runner_id"
              + " ATTEMPT=attempt RESULTS=result_count FINAL_MESSAGE=final_message");

  /** Runs, as {@code runs list} prints them. */
  static final List<Printer.Column> LISTED =
      Printer.columns(
          "RUN=run_id STATUS=status RUNNER=runner_id CONVERSATION=conversation_id"
              + " CREATED=created_at");

  /** A run's events. */
  static final List<Printer.Column> EVENTS =
      Printer.columns(
          "SEQ=seq TYPE=type ATTEMPT=attempt SEQUENCE=sequence PRODUCER=producer DATA=data");

  /** The topics {@code topics create} made or found. */
  static final List<Printer.Column> TOPICS =
      Printer.columns(
          "TOPIC=topic CLEANUP=cleanup_policy PARTITIONS=partitions REPLICATION=replication"
              + " STATUS=status");

  private RunTables() {}
}
