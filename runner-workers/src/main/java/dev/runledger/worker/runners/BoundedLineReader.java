package dev.runledger.worker.runners;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 lines from a stream with a limit per line and in total, so a runner that floods its
 * output cannot exhaust the worker's memory.
 */
final class BoundedLineReader {
  private final InputStream in;
  private final int maxLine;
  private final long maxTotal;
  private final byte[] buffer = new byte[8192];
  private int position;
  private int limit;
  private long total;

  BoundedLineReader(final InputStream in, final int maxLine, final long maxTotal) {
    this.in = in;
    this.maxLine = maxLine;
    this.maxTotal = maxTotal;
  }

  /** Thrown when a line or the whole output is over its limit. */
  static final class LimitExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    LimitExceededException(final String message) {
      super(message);
    }
  }

  /**
   * The next line without its terminator, or null at the end of the stream.
   *
   * @throws LimitExceededException when the line or the total output is over its limit
   */
  String readLine() throws IOException {
    final ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      if (position == limit) {
        limit = in.read(buffer);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }
      }
      final byte b = buffer[position++];
      if (++total > maxTotal) {
        throw new LimitExceededException("output is over " + maxTotal + " bytes");
      }
      if (b == '\n') {
        return stripCr(line.toString(StandardCharsets.UTF_8));
      }
      if (line.size() >= maxLine) {
        throw new LimitExceededException("a line is over " + maxLine + " bytes");
      }
      line.write(b);
    }
  }

  private static String stripCr(final String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
