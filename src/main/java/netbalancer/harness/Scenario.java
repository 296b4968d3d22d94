package netbalancer.harness;

import java.util.List;

/** One test of the balancer's reaction; build them with {@link Scenarios}. */
public interface Scenario {
  /** As typed: "down-up wan2 30". */
  String title();

  Result run(Context c) throws InterruptedException;

  /** The uplink the scenario takes away, if it names one. */
  default String uplink() {
    return null;
  }

  /** The scenarios this one stands for on {@code target} (comprehensive: all of them). */
  default List<Scenario> expand(Target target, Context c) {
    return List.of(this);
  }
}
