package dev.runledger.schemas.http;

/** What a route needs of its caller (see {@link ApiPaths#access}). */
public enum Access {
  /** Anyone, without a token ({@code GET /healthz}). */
  OPEN,
  /** A reader, writer or admin token of the workspace. */
  READ,
  /** A writer or admin token of the workspace: post events, cancel runs. */
  WRITE,
  /** An admin token of the workspace: bindings, cleanup, view digests (every workspace). */
  ADMIN
}
