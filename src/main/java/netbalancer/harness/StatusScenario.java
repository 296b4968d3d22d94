package netbalancer.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import netbalancer.harness.Observer.Seen;
import netbalancer.plan.Uplink;

/** status: the uplinks, what the kernel balances over, what the daemon says. Changes nothing. */
final class StatusScenario implements Scenario {
  private static final String ROW = "  %-15s %-8s %-15s %-9s %-10s %s%n";

  @Override
  public String title() {
    return "status";
  }

  @Override
  public Result run(Context c) {
    List<Uplink> uplinks = c.target.uplinks();
    Seen now = c.latest();
    Set<String> members = now.members();
    DaemonView daemon = now.daemon();
    c.out.printf(ROW, "UPLINK", "CARRIER", "GATEWAY", "LB_TABLE", "DAEMON", "REASON");
    for (Uplink u : uplinks) {
      DaemonView.Entry e = daemon == null ? null : daemon.uplinks().get(u.name());
      c.out.printf(ROW, u.name(), u.carrier() ? "yes" : "no", u.gateway() == null ? "-" : u.gateway(),
          members.contains(u.name()) ? "yes" : "no", e == null ? "-" : e.state(), e == null ? "" : e.reason());
    }
    List<String> leftovers = HarnessTables.present(c.target.runner());
    if (!leftovers.isEmpty()) {
      c.out.println("  harness tables present: " + leftovers + " (a scenario is running, or one was killed)");
    }
    c.out.flush();
    List<String> problems = new ArrayList<>();
    if (uplinks.isEmpty()) {
      problems.add("no uplinks found (no default route in the main table, none in UPLINKS)");
    }
    if (daemon == null) {
      problems.add("no daemon answers on " + c.target.config().controlSocket()
          + ": nothing reacts to faults (start it: systemctl start net_balancer, or net-balancer run)");
    }
    String summary = uplinks.size() + " uplink(s), " + members.size() + " in LB_TABLE"
        + (daemon == null ? ", no daemon" : ", daemon answers" + (daemon.failOpen() ? " (FAIL-OPEN)" : ""));
    return Result.of(title(), summary, problems);
  }
}
