package dev.runledger.deploy.cli;

import dev.runledger.projections.tools.LedgerVerifier;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ledger verify}: check the ledger's invariants. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Read the run ledger and the dispatch decisions and print every broken invariant (one"
            + " RunCreated per run, per-attempt sequences gapless and increasing, at most one"
            + " applied terminal per run, a decision for every accepted event, no orchestrator"
            + " cancel after a worker's claim, no cancelled terminal before its cancel request)"
            + " with its run,"
            + " partition and offset. Exits 1 when there is any.")
final class VerifyCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    final List<LedgerVerifier.Violation> violations;
    try (ScanProgress progress = new ScanProgress("verify")) {
      violations = config.tools().verify(progress);
    }
    final PrintWriter out = spec.commandLine().getOut();
    violations.forEach(v -> out.println(v.text()));
    out.println(violations.size() + " violation(s)");
    out.flush();
    return violations.isEmpty() ? 0 : 1;
  }
}
