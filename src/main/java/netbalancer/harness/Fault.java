package netbalancer.harness;

/**
 * One reversible change that a scenario makes. {@link #revert()} must be safe to call more than
 * once, and after an {@link #apply()} that failed half-way: it runs from a shutdown hook too.
 */
interface Fault {
  /** What it does, for the timeline: "wan2 carrier down (ISP side)". */
  String describe();

  /** What putting it back does: "wan2 carrier up". */
  String describeRevert();

  void apply();

  void revert();

  /** A fault made of two actions. */
  static Fault of(String describe, String describeRevert, Runnable apply, Runnable revert) {
    return new Fault() {
      @Override
      public String describe() {
        return describe;
      }

      @Override
      public String describeRevert() {
        return describeRevert;
      }

      @Override
      public void apply() {
        apply.run();
      }

      @Override
      public void revert() {
        revert.run();
      }
    };
  }
}
