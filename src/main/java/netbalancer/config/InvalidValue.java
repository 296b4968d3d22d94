package netbalancer.config;

/** A setting's text was rejected; the detail says what is allowed ("expected …"). */
final class InvalidValue extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidValue(String detail) {
    super(detail, null, false, false);
  }
}
