package dev.runledger.deploy.cli;

import java.util.List;

/** The table columns of runs and run events. */
final class RunTables {
  static final List<Printer.Column> RUNS =
      List.of(
          new Printer.Column("RUN_ID", "/run_id"),
          new Printer.Column("STATUS", "/status"),
          new Printer.Column("CONVERSATION", "/conversation_id"),
          new Printer.Column("RUNNER", "/runner_id"),
          new Printer.Column("ATTEMPT", "/attempt"),
          new Printer.Column("RESULTS", "/result_count"),
          new Printer.Column("FINAL_MESSAGE", "/final_message"));

  static final List<Printer.Column> EVENTS =
      List.of(
          new Printer.Column("SEQ", "/seq"),
          new Printer.Column("TYPE", "/type"),
          new Printer.Column("ATTEMPT", "/attempt"),
          new Printer.Column("SEQUENCE", "/sequence"),
          new Printer.Column("PRODUCER", "/producer"),
          new Printer.Column("DATA", "/data"));

  private RunTables() {}
}
