package netbalancer.harness;

import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * neighbor-fail on a host: the gateway's ARP packets are dropped on arrival (harness table
 * {@code arp net_balancer_harness}) and its cached entry is flushed, so the next packet finds it
 * unresolvable and the kernel marks it FAILED — what a dead gateway looks like. Reverting
 * deletes the table and flushes the FAILED entry so it is resolved afresh. {@code ip neigh
 * flush} never removes a permanent entry; those are refused before this runs.
 */
final class ArpBlock implements Fault {
  private final CommandRunner runner;
  private final String uplink;
  private final String gateway;

  ArpBlock(CommandRunner runner, String uplink, String gateway) {
    this.runner = runner;
    this.uplink = uplink;
    this.gateway = gateway;
  }

  String ruleset() {
    return "  chain input {\n    type filter hook input priority 0; policy accept;\n"
        + "    iifname \"" + uplink + "\" arp saddr ip " + gateway + " drop\n  }\n";
  }

  @Override
  public String describe() {
    return "ARP from gateway " + gateway + " on " + uplink + " dropped, its entry flushed (nft table arp "
        + HarnessTables.NAME + ")";
  }

  @Override
  public String describeRevert() {
    return "ARP from " + gateway + " on " + uplink + " passes again (nft table arp " + HarnessTables.NAME + " deleted)";
  }

  @Override
  public void apply() {
    runner.check(List.of("nft", "-f", "-"), HarnessTables.replace("arp", ruleset()));
    flush();
  }

  @Override
  public void revert() {
    HarnessTables.delete(runner, "arp");
    flush();
  }

  private void flush() {
    runner.run("ip", "neigh", "flush", "to", gateway, "dev", uplink);
  }
}
