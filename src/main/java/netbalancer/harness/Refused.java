package netbalancer.harness;

/** A scenario that must not run as asked: nothing was changed. */
final class Refused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  Refused(String why) {
    super(why);
  }
}
