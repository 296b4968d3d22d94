package netbalancer.config;

/** A known setting with its type; {@link Keys} lists them all. */
record Key<T>(String name, String section, String defaultValue, String description, ValueType<T> type) {

  ConfigKey info() {
    return new ConfigKey(name, section, defaultValue, type.allowed(), description);
  }

  /** Renders a value of this key that is known (by reflection) to have type T. */
  @SuppressWarnings("unchecked")
  String formatUnchecked(Object value) {
    return type.format((T) value);
  }
}
