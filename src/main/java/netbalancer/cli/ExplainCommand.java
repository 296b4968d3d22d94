package netbalancer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import netbalancer.config.Config;
import netbalancer.config.ConfigException;
import netbalancer.config.Flow;
import netbalancer.config.Policies;
import netbalancer.config.Policy;
import netbalancer.observe.KernelState;
import netbalancer.plan.FlowExplainer;
import netbalancer.plan.IpCommands;
import netbalancer.plan.Plan;
import netbalancer.plan.Planner;
import netbalancer.plan.PolicyPlanner;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkDiscovery;
import netbalancer.plan.UplinkState;
import netbalancer.system.CommandRunner;
import netbalancer.system.ProcessRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Which policy a flow matches, where it would go now and why, and where the kernel itself sends
 * it ({@code ip route get} with the policy's mark). The uplinks' states come from the running
 * daemon when one answers, else from carrier alone, as in {@code status}. Changes nothing.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = "Say which policy a flow matches, which uplink it takes now and why.")
final class ExplainCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Mixin
  ConfigOption configOption;

  @Option(names = "--src", required = true, paramLabel = "ADDR", description = "source address")
  String src;

  @Option(names = "--dst", required = true, paramLabel = "ADDR", description = "destination address")
  String dst;

  @Option(names = "--proto", paramLabel = "P", description = "tcp, udp, icmp or any (default)")
  String proto = "any";

  @Option(names = "--sport", paramLabel = "N", description = "source port (with tcp or udp)")
  Integer sport;

  @Option(names = "--dport", paramLabel = "N", description = "destination port (with tcp or udp)")
  Integer dport;

  @Option(names = "--iif", paramLabel = "IF", description = "LAN-side interface it comes in on (default: the"
      + " one the kernel routes SRC to; none when SRC is this host's)")
  String iif;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Config config = configOption.load();
    Policies policies = ConfigOption.policies(config);
    Policy.Proto p;
    try {
      p = Policy.Proto.valueOf(proto.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of("--proto '" + proto + "'; allowed: tcp, udp, icmp, any"));
    }
    Flow flow = new Flow(src, dst, p, sport, dport, iif);
    Policy policy = flow.firstMatch(policies);

    Balancer balancer = Balancer.forHost(config);
    KernelState state = balancer.observer().observe();
    List<Uplink> uplinks = UplinkDiscovery.discover(config, state);
    boolean ipv6 = dst.contains(":");
    Map<String, UplinkState> states = new LinkedHashMap<>();
    Map<String, UplinkState> states6 = new LinkedHashMap<>();
    Map<String, String> why = new LinkedHashMap<>();
    Map<String, String> why6 = new LinkedHashMap<>();
    String fromDaemon = Privileges.ask(config.controlSocket(), "status");
    if (fromDaemon != null) {
      for (JsonNode row : JSON.readTree(fromDaemon).path("uplinks")) {
        String name = row.path("name").asText();
        states.put(name, UplinkState.fromWireName(row.path("state").asText()));
        String hold = row.path("holdDownSeconds").isNumber() ? ", " + row.get("holdDownSeconds").asLong() + " s left"
            : "";
        why.put(name, row.path("state").asText() + (row.path("reason").isTextual() ? ": " + row.get("reason").asText()
            : "") + hold + (row.path("drained").asBoolean() ? " (drained by the operator)" : ""));
        JsonNode v6 = row.path("ipv6");
        if (v6.isObject()) {
          states6.put(name, UplinkState.fromWireName(v6.path("state").asText()));
          String hold6 = v6.path("holdDownSeconds").isNumber() ? ", " + v6.get("holdDownSeconds").asLong() + " s left"
              : "";
          why6.put(name, "IPv6 " + v6.path("state").asText() + (v6.path("reason").isTextual() ? ": "
              + v6.get("reason").asText() : "") + hold6 + (row.path("drained").asBoolean() ? " (drained by the operator)"
              : ""));
        }
      }
    } else {
      uplinks.forEach(u -> states.put(u.name(), u.carrier() ? UplinkState.UP : UplinkState.DOWN));
      uplinks.forEach(u -> why.put(u.name(), u.carrier() ? "up" : "down: no carrier"));
      why6.putAll(why);
    }
    Plan plan = Planner.plan(config, policies, uplinks, states, states6);
    FlowExplainer.Explanation e = FlowExplainer.explain(config, plan, policy, ipv6 ? why6 : why, ipv6);

    CommandRunner runner = new ProcessRunner();
    long mark = e.mark();
    String sticky = null;
    if (policy != null && policy.sticky() != null && e.table() != null) {
      String map = ipv6 ? PolicyPlanner.stickyMap6(e.mark(), config.markShift())
          : PolicyPlanner.stickyMap(e.mark(), config.markShift());
      CommandRunner.Result r = runner.run("nft", "-j", "get", "element", "inet", "net_balancer", map, "{ " + src + " }");
      Long stuck = r.ok() ? stuckMark(r.stdout()) : null;
      if (stuck != null) {
        mark = stuck;
        sticky = src + " is sticky to mark " + IpCommands.hex(stuck) + " (its last new connection's uplink)";
      } else {
        sticky = src + " has no sticky entry now: its next new connection records one";
      }
    }
    Map<String, Object> kernel = KernelRouteGet.ask(runner, flow, mark);

    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("flow", describe(flow));
    if (policy == null) {
      doc.put("policy", null);
    } else {
      Map<String, Object> pol = new LinkedHashMap<>();
      pol.put("name", policy.name());
      pol.put("line", policy.line());
      pol.put("action", policy.action().toString());
      pol.put("else", policy.orElse().toString());
      pol.put("sticky", policy.sticky() == null ? null : policy.sticky().toSeconds());
      doc.put("policy", pol);
    }
    doc.put("mark", IpCommands.hex(mark));
    doc.put("table", e.table());
    doc.put("route", e.route());
    doc.put("now", e.now());
    doc.put("sticky", sticky);
    doc.put("uplinks", e.uplinks());
    doc.put("statesFrom", fromDaemon != null ? "daemon" : "kernel (no daemon answered: carrier only)");
    doc.put("kernel", kernel);
    if (json) {
      System.out.println(JSON.writeValueAsString(doc));
    } else {
      System.out.print(text(doc, policies));
    }
    return ExitCodes.OK;
  }

  private static Long stuckMark(String json) throws java.io.IOException {
    for (JsonNode item : JSON.readTree(json).path("nftables")) {
      for (JsonNode elem : item.path("map").path("elem")) {
        if (elem.isArray() && elem.size() == 2) {
          return elem.get(1).asLong();
        }
      }
    }
    return null;
  }

  private static String describe(Flow f) {
    List<String> w = new ArrayList<>(List.of(f.proto().word(), f.src() + " -> " + f.dst()));
    if (f.sport() != null) {
      w.add("sport " + f.sport());
    }
    if (f.dport() != null) {
      w.add("dport " + f.dport());
    }
    if (f.iif() != null) {
      w.add("iif " + f.iif());
    }
    return String.join(" ", w);
  }

  @SuppressWarnings("unchecked")
  private static String text(Map<String, Object> doc, Policies policies) {
    StringBuilder sb = new StringBuilder();
    sb.append("flow     ").append(doc.get("flow")).append('\n');
    Map<String, Object> pol = (Map<String, Object>) doc.get("policy");
    sb.append("policy   ").append(pol == null ? "none matches: balanced (LB_TABLE)" : pol.get("name") + " ("
        + policies.source() + ":" + pol.get("line") + ") -> " + pol.get("action") + " else " + pol.get("else")
        + (pol.get("sticky") == null ? "" : " sticky " + pol.get("sticky"))).append('\n');
    sb.append("now      ").append(doc.get("table") == null ? "" : "table " + doc.get("table") + ", ")
        .append("mark ").append(doc.get("mark")).append(": ").append(doc.get("route")).append('\n');
    if (doc.get("sticky") != null) {
      sb.append("sticky   ").append(doc.get("sticky")).append('\n');
    }
    ((Map<String, String>) doc.get("uplinks")).forEach((name, why) ->
        sb.append("uplink   ").append(String.format("%-15s ", name)).append(why).append('\n'));
    sb.append("states   from the ").append(doc.get("statesFrom")).append('\n');
    Map<String, Object> k = (Map<String, Object>) doc.get("kernel");
    sb.append("kernel   ").append(k.get("command")).append(": ").append(k.containsKey("error") ? k.get("error")
        : "dev " + k.get("dev") + (k.get("gateway") == null ? "" : " via " + k.get("gateway"))).append('\n');
    return sb.toString();
  }
}
