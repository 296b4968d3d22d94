package netbalancer.harness;

import java.util.Optional;
import netbalancer.config.Config;
import netbalancer.plan.Uplink;
import netbalancer.system.CommandRunner;

/**
 * This host's own interfaces (or those of the namespace the command runs in). Faults are made
 * here with {@code ip} and the harness's own nft tables; nothing is sent anywhere, so the
 * connections kept are not measured: the report shows LB_TABLE and the daemon's reaction only.
 */
final class HostTarget implements Target {
  private final Config config;
  private final CommandRunner runner;

  HostTarget(Config config, CommandRunner runner) {
    this.config = config;
    this.runner = runner;
  }

  @Override
  public String describe() {
    String ns = runner.run("ip", "netns", "identify").stdout().strip();
    return ns.isEmpty() ? "this host" : "this host (network namespace " + ns + ")";
  }

  @Override
  public Config config() {
    return config;
  }

  @Override
  public CommandRunner runner() {
    return runner;
  }

  @Override
  public Fault carrier(String uplink) {
    return new LinkDown(runner, uplink, config.lbRtProto());
  }

  @Override
  public Fault neighbor(String uplink) {
    Uplink u = uplink(uplink).orElseThrow(() -> new Refused(uplink + " is not an uplink now"));
    if (!u.hasIpv4() && u.hasIpv6() && u.ipv6().gateway() != null) {
      throw new Refused(uplink + " is IPv6-only: its gateway is " + u.ipv6().gateway() + "; add --ipv6 to fail it");
    }
    if (u.gateway() == null) {
      throw new Refused(uplink + " is point-to-point: it has no gateway whose neighbor entry could fail");
    }
    if (u.gateway().contains(":")) {
      throw new Refused(uplink + "'s gateway " + u.gateway() + " is IPv6: neighbor-fail handles ARP (IPv4) only");
    }
    String entry = runner.run("ip", "neigh", "show", "to", u.gateway(), "dev", uplink).stdout();
    if (entry.contains("PERMANENT")) {
      throw new Refused(uplink + "'s gateway " + u.gateway() + " has a permanent ARP entry: it cannot fail,"
          + " and the harness does not delete what you configured");
    }
    return NeighborBlock.arp(runner, uplink, u.gateway());
  }

  /** NDP instead of ARP; a link-local gateway is matched on the uplink it belongs to. */
  @Override
  public Fault neighbor6(String uplink) {
    Uplink u = uplink(uplink).orElseThrow(() -> new Refused(uplink + " is not an uplink now"));
    if (!u.hasIpv6()) {
      throw new Refused(uplink + " has no IPv6 side (no IPv6 default route through it with a global address)");
    }
    String gateway = u.ipv6().gateway();
    if (gateway == null) {
      throw new Refused(uplink + "'s IPv6 default has no gateway (a route through the device alone): no neighbor"
          + " entry could fail");
    }
    String entry = runner.run("ip", "-6", "neigh", "show", "to", gateway, "dev", uplink).stdout();
    if (entry.contains("PERMANENT")) {
      throw new Refused(uplink + "'s IPv6 gateway " + gateway + " has a permanent neighbor entry: it cannot fail,"
          + " and the harness does not delete what you configured");
    }
    return NeighborBlock.ndp(runner, uplink, gateway);
  }

  @Override
  public Fault probes(String uplinkOrNull) {
    return new ProbeBlock(runner, config.probeTargets(), config.healthProbeMethod(), config.healthProbePort(),
        uplinkOrNull);
  }

  @Override
  public Optional<Held> hold() {
    return Optional.empty();
  }

  @Override
  public void close() {
    HarnessTables.FAMILIES.forEach(f -> HarnessTables.delete(runner, f));
  }
}
