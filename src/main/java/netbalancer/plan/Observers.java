package netbalancer.plan;

import java.util.ArrayList;
import java.util.List;
import netbalancer.config.Config;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.KernelReads;
import netbalancer.system.CommandRunner;

/** The kernel reader for one configuration: our route protocol and every table we may write. */
public final class Observers {
  private Observers() {
  }

  /** Reads afresh every time: the CLI, the harness, the bench. */
  public static KernelObserver forConfig(CommandRunner runner, Config config) {
    return KernelObserver.of(runner, config.lbRtProto(), tables(config));
  }

  /** The daemon's: keeps the main table's view until told it changed. */
  public static KernelObserver keepingMain(CommandRunner runner, Config config) {
    return KernelObserver.keepingMain(runner, config.lbRtProto(), tables(config));
  }

  /** As {@link #keepingMain(CommandRunner, Config)}, reading through {@code reads}. */
  public static KernelObserver keepingMain(KernelReads reads, Config config) {
    return KernelObserver.keepingMain(reads, config.lbRtProto(), tables(config));
  }

  /** LB_TABLE and one table per possible uplink index: every table a plan can put a route in. */
  public static List<Integer> tables(Config config) {
    List<Integer> out = new ArrayList<>();
    out.add(config.lbTable());
    for (int i = 1; i <= config.maxUplinks(); i++) {
      out.add(config.tableFor(i));
    }
    return out;
  }
}
