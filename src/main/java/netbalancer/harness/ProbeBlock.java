package netbalancer.harness;

import java.util.List;
import netbalancer.config.ProbeMethod;
import netbalancer.system.CommandRunner;

/**
 * health-block on a host: drops the health probes themselves (to the configured targets, by the
 * configured method and port) as they leave, in the harness's own {@code inet} table. Any other
 * traffic, even to the same addresses, passes.
 */
final class ProbeBlock implements Fault {
  private final CommandRunner runner;
  private final List<String> targets;
  private final ProbeMethod method;
  private final int port;
  private final String uplink;

  ProbeBlock(CommandRunner runner, List<String> targets, ProbeMethod method, int port, String uplinkOrNull) {
    this.runner = runner;
    this.targets = List.copyOf(targets);
    this.method = method;
    this.port = port;
    this.uplink = uplinkOrNull;
  }

  /** The chain: one drop rule per address family present among the targets. */
  String ruleset() {
    StringBuilder sb = new StringBuilder("  chain output {\n    type filter hook output priority 0; policy accept;\n");
    List<String> v4 = targets.stream().filter(t -> !t.contains(":")).toList();
    List<String> v6 = targets.stream().filter(t -> t.contains(":")).toList();
    String via = uplink == null ? "" : "oifname \"" + uplink + "\" ";
    if (!v4.isEmpty()) {
      sb.append("    ").append(via).append("ip daddr { ").append(String.join(", ", v4)).append(" } ")
          .append(method == ProbeMethod.ICMP ? "icmp type echo-request" : "tcp dport " + port).append(" drop\n");
    }
    if (!v6.isEmpty()) {
      sb.append("    ").append(via).append("ip6 daddr { ").append(String.join(", ", v6)).append(" } ")
          .append(method == ProbeMethod.ICMP ? "icmpv6 type echo-request" : "tcp dport " + port).append(" drop\n");
    }
    return sb.append("  }\n").toString();
  }

  @Override
  public String describe() {
    return "health probes to " + String.join(",", targets) + " dropped" + (uplink == null ? "" : " on " + uplink)
        + " (nft table inet " + HarnessTables.NAME + ")";
  }

  @Override
  public String describeRevert() {
    return "health probes pass again (nft table inet " + HarnessTables.NAME + " deleted)";
  }

  @Override
  public void apply() {
    runner.check(List.of("nft", "-f", "-"), HarnessTables.replace("inet", ruleset()));
  }

  @Override
  public void revert() {
    HarnessTables.delete(runner, "inet");
  }
}
