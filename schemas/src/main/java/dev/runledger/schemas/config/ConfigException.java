package dev.runledger.schemas.config;

/** A setting is missing or malformed; names the setting. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public ConfigException(final String key, final String message) {
    super(message);
    this.key = key;
  }

  /** The setting at fault. */
  public String key() {
    return key;
  }
}
