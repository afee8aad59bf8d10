package dev.runledger.schemas.http;

import java.util.Collection;
import java.util.List;

/**
 * Query parameters a route does not know are refused, so a mistyped filter is never ignored: the
 * one check every route of the gateway and the projections makes.
 */
public final class QueryParams {
  private QueryParams() {}

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
