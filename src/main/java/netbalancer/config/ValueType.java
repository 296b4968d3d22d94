package netbalancer.config;

/**
 * How one setting's text becomes a typed value. {@link #parse} enforces everything that
 * concerns this setting alone; {@link #format} is its exact inverse, which lets the
 * {@link Config} constructor re-check typed values with the same rules.
 */
interface ValueType<T> {
  /** Parses stripped text; throws with a detail naming what is allowed. */
  T parse(String text) throws InvalidValue;

  /** Renders a value the way it would be written in the config file. */
  String format(T value);

  /** What is accepted, e.g. "an integer 1..65535". */
  String allowed();

  /** The usual rejection: "expected " + allowed(). */
  default InvalidValue invalid() {
    return new InvalidValue("expected " + allowed());
  }
}
