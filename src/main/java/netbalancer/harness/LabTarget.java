package netbalancer.harness;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;
import netbalancer.config.Config;
import netbalancer.lab.HeldConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LoadReport;
import netbalancer.system.CommandRunner;

/**
 * A fresh lab (3 ISPs, the daemon in its router): faults are made on the ISP side, as the
 * world makes them — the cable pulled at the far end, the gateway gone silent, the probe target
 * unreachable through one ISP — and held connections from the LAN host show what survived.
 */
final class LabTarget implements Target {
  private static final int HELD = 60;

  private final LabRig rig;
  private final CommandRunner runner;

  LabTarget(LabRig rig) {
    this.rig = rig;
    this.runner = rig.lab().runnerIn(rig.lab().routerNs());
  }

  @Override
  public String describe() {
    return "lab " + rig.lab().prefix() + "* (3 simulated ISPs; the daemon runs in " + rig.lab().routerNs() + ")";
  }

  @Override
  public Config config() {
    return rig.config();
  }

  @Override
  public CommandRunner runner() {
    return runner;
  }

  private int index(String uplink) {
    int i = rig.index(uplink);
    if (i == 0) {
      throw new Refused(uplink + " is not an uplink of the lab (wan1, wan2, wan3)");
    }
    return i;
  }

  @Override
  public Fault carrier(String uplink) {
    int i = index(uplink);
    Lab lab = rig.lab();
    return labFault(uplink + " carrier lost (ISP " + i + "'s end of the link down)", uplink + " carrier back",
        lab::carrierDown, lab::carrierUp, i);
  }

  @Override
  public Fault neighbor(String uplink) {
    int i = index(uplink);
    Lab lab = rig.lab();
    return labFault("gateway " + lab.gatewayAddress(i) + " of " + uplink + " stops answering ARP",
        "gateway of " + uplink + " answers ARP again", n -> lab.gatewayNeighborLost(n, true),
        n -> lab.gatewayNeighborLost(n, false), i);
  }

  @Override
  public Fault neighbor6(String uplink) {
    throw new Refused("the --lab lab's uplinks are IPv4-only: run neighbor-fail --ipv6 on a host (or a namespace)"
        + " with an IPv6 uplink");
  }

  /** The ISP forwards nothing any more while its link, ARP and gateway address stay fine. */
  Fault blackhole(String uplink) {
    int i = index(uplink);
    Lab lab = rig.lab();
    return labFault("ISP " + i + " (" + uplink + ") blackholed upstream", "ISP " + i + " forwards again",
        n -> lab.blackhole(n, true), n -> lab.blackhole(n, false), i);
  }

  @Override
  public Fault probes(String uplinkOrNull) {
    List<String> targets = config().probeTargets();
    List<Integer> isps = uplinkOrNull == null ? List.of(1, 2, 3) : List.of(index(uplinkOrNull));
    String where = uplinkOrNull == null ? "every ISP" : "ISP " + isps.get(0) + " (" + uplinkOrNull + ")";
    Lab lab = rig.lab();
    return Fault.of(where + " drops traffic to the probe target " + String.join(",", targets),
        where + " lets the probe target through again",
        () -> isps.forEach(i -> targets.forEach(t -> lab.blockTarget(i, t, true))),
        () -> quietly(() -> isps.forEach(i -> targets.forEach(t -> lab.blockTarget(i, t, false)))));
  }

  private Fault labFault(String what, String back, IntConsumer apply, IntConsumer revert, int i) {
    return Fault.of(what, back, () -> apply.accept(i), () -> quietly(() -> revert.accept(i)));
  }

  /**
   * A revert racing the lab's own removal (Ctrl-C runs both shutdown hooks at once) finds the lab
   * closed or its namespaces gone: nothing is left to put back then.
   */
  private void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      boolean closing = e instanceof IllegalStateException && String.valueOf(e.getMessage()).endsWith(" is closed");
      if (!closing && Lab.listNamespaces().contains(rig.lab().routerNs())) {
        throw e;
      }
    }
  }

  @Override
  public Optional<Held> hold() {
    Lab lab = rig.lab();
    HeldConnections held = lab.hold(lab.clientNs(), LabRig.TRAFFIC_ADDRESS, LabRig.PORT, HELD);
    return Optional.of(new Held() {
      @Override
      public Map<String, Integer> opened() {
        return byUplink(held.opened());
      }

      @Override
      public Map<String, Integer> stillAlive() {
        return byUplink(held.check(Duration.ofMillis(1500)));
      }

      @Override
      public void close() {
        held.close();
      }
    });
  }

  private Map<String, Integer> byUplink(LoadReport report) {
    Map<String, Integer> out = new LinkedHashMap<>();
    Lab lab = rig.lab();
    for (int i = 1; i <= lab.uplinkCount(); i++) {
      out.put(lab.uplinkName(i), report.from(lab.ispPublicAddress(i)));
    }
    return out;
  }

  /** The daemon's last log lines: why it did what it did. */
  @Override
  public List<String> diagnostics() {
    List<String> lines = rig.daemon().recentLines();
    return lines.subList(Math.max(0, lines.size() - 25), lines.size());
  }

  @Override
  public void close() {
    rig.close();
  }
}
