package dev.runledger.worker;

/** The worker's version, from its jar manifest; {@code dev} when running from classes. */
public final class WorkerVersion {
  private WorkerVersion() {}

  public static String get() {
    final String version = WorkerVersion.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
