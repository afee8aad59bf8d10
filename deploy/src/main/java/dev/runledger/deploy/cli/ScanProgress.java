package dev.runledger.deploy.cli;

import dev.runledger.projections.tools.TopicScan;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on the terminal (stderr) for topic scans; nothing when not on a terminal. */
final class ScanProgress implements TopicScan.Progress, AutoCloseable {
  private final String task;
  private ProgressBar bar;

  ScanProgress(final String task) {
    this.task = task;
  }

  @Override
  public void total(final long records) {
    if (System.console() != null && bar == null) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(records)
              .setStyle(ProgressBarStyle.ASCII)
              .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
              .build();
    }
  }

  @Override
  public void step(final long records) {
    if (bar != null) {
      bar.stepBy(records);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
