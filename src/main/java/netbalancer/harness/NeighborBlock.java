package netbalancer.harness;

import java.util.ArrayList;
import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * neighbor-fail on a host: the gateway's neighbor resolution is dropped on arrival (harness table
 * {@code arp|ip6 net_balancer_harness}) and its cached entry is flushed, so the next packet finds
 * it unresolvable and the kernel marks it FAILED — what a dead gateway looks like. Reverting
 * deletes the table and flushes the FAILED entry so it is resolved afresh. {@code ip neigh flush}
 * never removes a permanent entry; those are refused before this runs.
 *
 * <p>IPv4: the gateway's ARP. IPv6: its neighbor advertisements and solicitations (its
 * solicitations would teach this host its address again), matched by source address: a router
 * answers from the address it advertises (Linux does, for a global gateway too) or, as a
 * link-local gateway, from that one.
 */
final class NeighborBlock implements Fault {
  private final CommandRunner runner;
  private final String uplink;
  private final String gateway;
  private final boolean ipv6;

  private NeighborBlock(CommandRunner runner, String uplink, String gateway, boolean ipv6) {
    this.runner = runner;
    this.uplink = uplink;
    this.gateway = gateway;
    this.ipv6 = ipv6;
  }

  static NeighborBlock arp(CommandRunner runner, String uplink, String gateway) {
    return new NeighborBlock(runner, uplink, gateway, false);
  }

  static NeighborBlock ndp(CommandRunner runner, String uplink, String gateway) {
    return new NeighborBlock(runner, uplink, gateway, true);
  }

  String ruleset() {
    String match = ipv6 ? "ip6 saddr " + gateway + " icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert }"
        : "arp saddr ip " + gateway;
    return "  chain input {\n    type filter hook input priority 0; policy accept;\n"
        + "    iifname \"" + uplink + "\" " + match + " drop\n  }\n";
  }

  @Override
  public String describe() {
    return (ipv6 ? "NDP from IPv6 gateway " : "ARP from gateway ") + gateway + " on " + uplink
        + " dropped, its entry flushed (nft table " + nftFamily() + " " + HarnessTables.NAME + ")";
  }

  @Override
  public String describeRevert() {
    return (ipv6 ? "NDP" : "ARP") + " from " + gateway + " on " + uplink + " passes again (nft table " + nftFamily()
        + " " + HarnessTables.NAME + " deleted)";
  }

  @Override
  public void apply() {
    runner.check(List.of("nft", "-f", "-"), HarnessTables.replace(nftFamily(), ruleset()));
    flush();
  }

  @Override
  public void revert() {
    HarnessTables.delete(runner, nftFamily());
    flush();
  }

  private String nftFamily() {
    return ipv6 ? "ip6" : "arp";
  }

  private void flush() {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    if (ipv6) {
      cmd.add("-6");
    }
    cmd.addAll(List.of("neigh", "flush", "to", gateway, "dev", uplink));
    runner.run(cmd.toArray(String[]::new));
  }
}
