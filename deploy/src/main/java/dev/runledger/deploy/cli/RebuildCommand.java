package dev.runledger.deploy.cli;

import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.http.ApiPaths;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ledger rebuild}: fold the whole ledger again and compare every view with the live one. */
@Command(
    name = "rebuild",
    mixinStandardHelpOptions = true,
    description =
        "Fold the whole run ledger (and host events and decisions) again, with the same fold"
            + " functions as the live projections, into temporary RocksDB stores under state.dir"
            + " (deleted after), and compare a digest of every view with the live views"
            + " (GET /v1/views/digests). Exits 1 when any differs.")
final class RebuildCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Mixin ApiOptions api;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    final Map<String, ViewDigest> rebuilt;
    try (ScanProgress progress = new ScanProgress("rebuild")) {
      rebuilt = config.tools().rebuild(progress);
    }
    final var live = api.client().get(ApiPaths.DIGESTS).orThrow("reading live digests");
    final PrintWriter out = spec.commandLine().getOut();
    boolean equal = true;
    out.printf("%-20s %-28s %-28s %s%n", "VIEW", "REBUILT", "LIVE", "EQUAL");
    for (final Map.Entry<String, ViewDigest> view : rebuilt.entrySet()) {
      final String liveText = live.path(view.getKey()).asText("-");
      final boolean same = view.getValue().text().equals(liveText);
      equal &= same;
      out.printf("%-20s %-28s %-28s %s%n", view.getKey(), view.getValue().text(), liveText, same);
    }
    out.println(equal ? "rebuild equals live" : "rebuild DIFFERS from live");
    out.flush();
    return equal ? 0 : 1;
  }
}
