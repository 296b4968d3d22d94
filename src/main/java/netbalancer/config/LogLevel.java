package netbalancer.config;

/** LOG_LEVEL: the least severe message that is logged. */
public enum LogLevel {
  DEBUG, INFO, WARN, ERROR;

  /** True when a message of {@code level} is to be logged under this threshold. */
  public boolean allows(LogLevel level) {
    return level.compareTo(this) >= 0;
  }
}
