package dev.runledger.worker.hostapi;

/** What one call touches, filled in while it is checked, for its {@code HostApiCall} audit. */
final class Target {
  private String resource;
  private String scope;

  Target resource(final String value) {
    this.resource = value;
    return this;
  }

  Target scope(final String value) {
    this.scope = value;
    return this;
  }

  String resource() {
    return resource;
  }

  String scope() {
    return scope;
  }
}
