package netbalancer.harness;

import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * neighbor-fail of an IPv6 gateway on a host: the gateway's neighbor advertisements and
 * solicitations (its solicitations would teach this host its address again) are dropped on
 * arrival (harness table {@code ip6 net_balancer_harness}) and its cached entry is flushed, so the
 * next packet finds it unresolvable and the kernel marks it FAILED — what a dead IPv6 router
 * looks like. Matched by source address: a router answers from the address it advertises (Linux
 * does, for a global gateway too) or, as a link-local gateway, from that one. Reverting deletes
 * the table and flushes the FAILED entry so it is resolved afresh.
 */
final class NdpBlock implements Fault {
  private final CommandRunner runner;
  private final String uplink;
  private final String gateway;

  NdpBlock(CommandRunner runner, String uplink, String gateway) {
    this.runner = runner;
    this.uplink = uplink;
    this.gateway = gateway;
  }

  String ruleset() {
    return "  chain input {\n    type filter hook input priority 0; policy accept;\n"
        + "    iifname \"" + uplink + "\" ip6 saddr " + gateway
        + " icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } drop\n  }\n";
  }

  @Override
  public String describe() {
    return "NDP from IPv6 gateway " + gateway + " on " + uplink + " dropped, its entry flushed (nft table ip6 "
        + HarnessTables.NAME + ")";
  }

  @Override
  public String describeRevert() {
    return "NDP from " + gateway + " on " + uplink + " passes again (nft table ip6 " + HarnessTables.NAME + " deleted)";
  }

  @Override
  public void apply() {
    runner.check(List.of("nft", "-f", "-"), HarnessTables.replace("ip6", ruleset()));
    flush();
  }

  @Override
  public void revert() {
    HarnessTables.delete(runner, "ip6");
    flush();
  }

  private void flush() {
    runner.run("ip", "-6", "neigh", "flush", "to", gateway, "dev", uplink);
  }
}
