package dev.runledger.schemas.http;

import java.util.Collection;
import java.util.List;

/**
 * Query parameters a route does not know are refused, so a mistyped filter is never ignored: the
 * one check every route of the gateway and the projections makes. Also the one parser of a page's
 * {@code limit} (1..{@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}).
 */
public final class QueryParams {
  /** The page size of a listing when the request gives no {@code limit}. */
  public static final int DEFAULT_LIMIT = 100;

  /** The largest {@code limit} of a listing. */
  public static final int MAX_LIMIT = 1000;

  private QueryParams() {}

  /**
   * The {@code limit} parameter of a listing: {@value #DEFAULT_LIMIT} when absent, otherwise a
   * whole number from 1 to {@value #MAX_LIMIT} (anything else is 400 {@code invalid_argument}
   * naming {@code limit}).
   */
  public static int limit(final String text) {
    return number(text, "limit", DEFAULT_LIMIT);
  }

  /**
   * A whole-number parameter from 1 to {@value #MAX_LIMIT}, {@code fallback} when absent; anything
   * else is 400 {@code invalid_argument} naming {@code field}.
   */
  public static int number(final String text, final String field, final int fallback) {
    if (text == null || text.isEmpty()) {
      return fallback;
    }
    try {
      final int value = Integer.parseInt(text);
      if (value >= 1 && value <= MAX_LIMIT) {
        return value;
      }
    } catch (final NumberFormatException e) {
      // reported below
    }
    throw ApiException.invalid(
        field, "must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
  }

  /**
   * A 400 {@code invalid_argument} naming the first of {@code given} (the request's parameter
   * names, e.g. {@code ctx.queryParamMap().keySet()}) that is not one of {@code known}.
   */
  public static void only(final Collection<String> given, final String... known) {
    final List<String> allowed = List.of(known);
    for (final String name : given) {
      if (!allowed.contains(name)) {
        throw ApiException.invalid(
            name,
            "query parameter '"
                + name
                + "' is not known here ("
                + (allowed.isEmpty() ? "this route takes none" : "known: " + allowed)
                + ")");
      }
    }
  }
}
