package dev.runledger.deploy.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JDK Flight Recorder recording of this process (the services and the load generator; the
 * embedded broker runs in a JVM of its own) with the JDK's {@code profile} settings, written to a
 * file that {@code jfr} or JDK Mission Control opens, and summarised as the methods most often on
 * top of a sampled stack.
 */
public final class BenchProfile implements AutoCloseable {
  private final Recording recording;
  private final Path file;

  private BenchProfile(final Recording recording, final Path file) {
    this.recording = recording;
    this.file = file;
  }

  /** Starts recording into {@code file}. */
  public static BenchProfile start(final Path file) throws IOException, ParseException {
    final Recording recording = new Recording(Configuration.getConfiguration("profile"));
    recording.setName("runledger-bench");
    recording.start();
    return new BenchProfile(recording, file);
  }

  /** Stops, writes the file, and returns the {@code top} hottest methods with their share. */
  public List<Map.Entry<String, Double>> stop(final int top) throws IOException {
    recording.stop();
    recording.dump(file);
    final Map<String, Integer> samples = new HashMap<>();
    int total = 0;
    for (final RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample")
          || event.getStackTrace() == null
          || event.getStackTrace().getFrames().isEmpty()) {
        continue;
      }
      final RecordedFrame frame = event.getStackTrace().getFrames().get(0);
      samples.merge(
          frame.getMethod().getType().getName() + "." + frame.getMethod().getName(),
          1,
          Integer::sum);
      total++;
    }
    final double all = Math.max(1, total);
    return samples.entrySet().stream()
        .sorted((a, b) -> Integer.compare(b.getValue(), a.getValue()))
        .limit(top)
        .map(e -> Map.entry(e.getKey(), e.getValue() / all))
        .toList();
  }

  public Path file() {
    return file;
  }

  @Override
  public void close() {
    recording.close();
  }
}
