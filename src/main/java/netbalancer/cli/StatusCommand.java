package netbalancer.cli;

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
import netbalancer.config.ConfigException;
import netbalancer.observe.KernelState;
import netbalancer.observe.Nexthop;
import netbalancer.plan.IpCommands;
import netbalancer.plan.Plan;
import netbalancer.plan.Uplink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Each uplink and what the kernel does with it now. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the uplinks and their state.")
final class StatusCommand implements Callable<Integer> {
  @Mixin
  ConfigOption configOption;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Config config;
    try {
      config = configOption.load();
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return ExitCodes.BAD_CONFIG;
    }
    Balancer balancer = Balancer.forHost(config);
    KernelState state = balancer.observer().observe();
    Plan plan = balancer.planFromCarrier(state);
    Set<String> inTable = state.routesInTable(config.lbTable()).stream()
        .filter(r -> r.isDefault() && r.protocol() == config.lbRtProto())
        .flatMap(r -> r.nexthops().stream()).map(Nexthop::dev).collect(Collectors.toSet());

    List<Map<String, Object>> rows = new ArrayList<>();
    for (Uplink u : plan.uplinks()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", u.name());
      row.put("state", plan.states().get(u.name()).wireName());
      row.put("weight", config.weightOf(u.name()));
      row.put("address", u.address());
      row.put("gateway", u.gateway());
      row.put("table", config.tableFor(u.index()));
      row.put("mark", IpCommands.hex(config.markFor(u.index())));
      row.put("balanced", inTable.contains(u.name()));
      rows.add(row);
    }
    if (json) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      System.out.println(mapper.writeValueAsString(Map.of("uplinks", rows)));
      return ExitCodes.OK;
    }
    System.out.printf("%-15s %-9s %-15s %-15s %6s %6s %-8s %s%n",
        "UPLINK", "STATE", "ADDRESS", "GATEWAY", "WEIGHT", "TABLE", "MARK", "IN LB_TABLE");
    for (Map<String, Object> r : rows) {
      System.out.printf("%-15s %-9s %-15s %-15s %6s %6s %-8s %s%n", r.get("name"), r.get("state"),
          r.get("address"), r.get("gateway") == null ? "-" : r.get("gateway"), r.get("weight"),
          r.get("table"), r.get("mark"), (Boolean) r.get("balanced") ? "yes" : "no");
    }
    if (rows.isEmpty()) {
      System.out.println("(no uplinks: no default route in the main table and none in UPLINKS)");
    }
    return ExitCodes.OK;
  }
}
