package dev.runledger.schemas.http;

import java.util.Locale;
import java.util.Set;

/**
 * Who is calling the HTTP API: the name of the token (never the token), its role and the workspaces
 * it may touch ({@code "*"} for every one). The HTTP server puts the caller of every request in the
 * request attribute {@value #ATTRIBUTE}; a handler that learns a workspace from a run or a request
 * body asks {@link #require} before it answers.
 */
public record Caller(String name, Role role, Set<String> workspaces) {
  /** The request attribute holding the {@link Caller}. */
  public static final String ATTRIBUTE = "runledger.caller";

  /** Every workspace. */
  public static final String ALL = "*";

  /** The caller when authentication is off: an admin of every workspace. */
  public static final Caller UNRESTRICTED = new Caller("anonymous", Role.ADMIN, Set.of(ALL));

  /** A request forwarded between runledger's own services with the internal credential. */
  public static final Caller INTERNAL = new Caller("internal", Role.ADMIN, Set.of(ALL));

  /** Roles, each allowing what the ones before it allow. */
  public enum Role {
    READER,
    WRITER,
    ADMIN;

    /** Whether this role may do what {@code access} needs. */
    public boolean allows(final Access access) {
      return switch (access) {
        case OPEN, READ -> true;
        case WRITE -> this != READER;
        case ADMIN -> this == ADMIN;
      };
    }
  }

  public Caller {
    workspaces = Set.copyOf(workspaces);
  }

  /**
   * Whether the token covers {@code workspaceId}; something of no known workspace (null, e.g. a run
   * view without its {@code run.created}) only a token of every workspace covers.
   */
  public boolean sees(final String workspaceId) {
    return workspaces.contains(ALL) || (workspaceId != null && workspaces.contains(workspaceId));
  }

  /** Whether the token covers every workspace. */
  public boolean seesAll() {
    return workspaces.contains(ALL);
  }

  /**
   * Checks that this caller may do {@code access} in {@code workspaceId}: 403 {@code forbidden}
   * naming the token and what it lacks when not.
   */
  public void require(final Access access, final String workspaceId) {
    if (!role.allows(access)) {
      throw forbidden(
          "the token '"
              + name
              + "' has the role "
              + role.name().toLowerCase(Locale.ROOT)
              + ", which may not do this ("
              + access.name().toLowerCase(Locale.ROOT)
              + " needed)");
    }
    if (workspaceId != null && !sees(workspaceId)) {
      throw forbidden(
          "the token '" + name + "' does not cover the workspace '" + workspaceId + "'");
    }
  }

  /** 403 {@code forbidden}. */
  public static ApiException forbidden(final String message) {
    return new ApiException(403, "forbidden", message);
  }

  /**
   * The caller a request's attribute holds; 401 {@code unauthenticated} when the server put none
   * there (routes mounted without the server's authentication fail closed).
   */
  public static Caller of(final Object attribute) {
    if (attribute instanceof Caller caller) {
      return caller;
    }
    throw new ApiException(
        401, "unauthenticated", "this request carries no credential the server accepted");
  }
}
