package netbalancer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import netbalancer.config.Config;
import netbalancer.observe.KernelState;
import netbalancer.observe.Nexthop;
import netbalancer.plan.IpCommands;
import netbalancer.plan.Plan;
import netbalancer.plan.Uplink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Each uplink and what is done with it: from the running daemon when one answers on the control
 * socket, else from what the kernel shows (state from carrier alone).
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the uplinks and their state.")
final class StatusCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Mixin
  ConfigOption configOption;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  @Option(names = "--watch", description = "refresh every 2 seconds until interrupted")
  boolean watch;

  @Override
  public Integer call() throws Exception {
    Config config = configOption.load();
    boolean terminal = System.console() != null;
    do {
      String fromDaemon = Privileges.ask(config.controlSocket(), "status");
      JsonNode doc = fromDaemon != null ? JSON.readTree(fromDaemon) : JSON.valueToTree(fromKernel(config));
      if (watch && terminal) {
        System.out.print("\u001b[H\u001b[2J");
      }
      if (json) {
        System.out.println(JSON.writeValueAsString(doc));
      } else {
        System.out.print(StatusTable.render(doc, fromDaemon != null, terminal));
        System.out.print(EventsCommand.recent(config, 5));
      }
      System.out.flush();
      if (watch) {
        Thread.sleep(2000);
      }
    } while (watch);
    return ExitCodes.OK;
  }

  /** The uplinks in LB_TABLE's default route of one family now. */
  private static Set<String> inTable(Config config, KernelState state, netbalancer.observe.Family family) {
    return state.routesInTable(config.lbTable()).stream()
        .filter(r -> r.family() == family && r.isDefault() && r.protocol() == config.lbRtProto())
        .flatMap(r -> r.nexthops().stream()).map(Nexthop::dev).collect(Collectors.toSet());
  }

  private static Map<String, Object> fromKernel(Config config) {
    Balancer balancer = Balancer.forHost(config);
    KernelState state = balancer.observer().observe();
    Plan plan = balancer.planFromCarrier(state);
    Set<String> inTable = inTable(config, state, netbalancer.observe.Family.INET);
    Set<String> inTable6 = inTable(config, state, netbalancer.observe.Family.INET6);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Uplink u : plan.uplinks()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", u.name());
      row.put("state", plan.states().get(u.name()).wireName());
      row.put("reason", u.carrier() ? "carrier" : "no carrier");
      row.put("weight", config.weightOf(u.name()));
      row.put("tier", config.tierOf(u.name()));
      row.put("address", u.address());
      row.put("gateway", u.gateway());
      row.put("table", config.tableFor(u.index()));
      row.put("mark", IpCommands.hex(config.markFor(u.index())));
      row.put("balanced", inTable.contains(u.name()));
      Map<String, Object> v6 = null;
      if (u.hasIpv6()) { // the same fields as the daemon's, from the kernel alone
        v6 = new LinkedHashMap<>();
        v6.put("address", u.ipv6().address());
        v6.put("gateway", u.ipv6().gateway());
        v6.put("state", plan.states6().get(u.name()).wireName());
        v6.put("reason", row.get("reason"));
        v6.put("balanced", inTable6.contains(u.name()));
      }
      row.put("ipv6", v6);
      rows.add(row);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("uplinks", rows);
    return doc;
  }
}
