package dev.runledger.worker.hostapi;

/**
 * What one call touches, filled in while it is checked, for its {@code HostApiCall} audit; {@link
 * #denied} marks a call refused with an answer other than {@code unauthorized} (a foreign id that
 * answers {@code not_found} like an unknown one), so it is audited as the denial it is.
 */
final class Target {
  private String resource;
  private String scope;
  private boolean denied;

  Target resource(final String value) {
    this.resource = value;
    return this;
  }

  Target scope(final String value) {
    this.scope = value;
    return this;
  }

  /** Marks the call as denied, whatever code it answers with. */
  Target denied() {
    this.denied = true;
    return this;
  }

  boolean isDenied() {
    return denied;
  }

  String resource() {
    return resource;
  }

  String scope() {
    return scope;
  }
}
