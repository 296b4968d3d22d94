package netbalancer.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import netbalancer.system.CommandRunner;

/**
 * down-up and flap on a host: {@code ip link set IFACE down}, then up. Taking a link down also
 * makes the kernel drop every route through it (the DHCP default among them) and its IPv6
 * addresses, and nothing guarantees that whoever made them makes them again; so the first apply
 * records them and every revert adds back whichever is missing.
 */
final class LinkDown implements Fault {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 30;

  private final CommandRunner runner;
  private final String dev;
  private final int ownProto;
  private Map<String, AddrSpec> addresses;
  private Map<String, RouteSpec> routes;
  private boolean taken;

  LinkDown(CommandRunner runner, String dev, int ownProto) {
    this.runner = runner;
    this.dev = dev;
    this.ownProto = ownProto;
  }

  @Override
  public String describe() {
    return dev + " down (ip link set dev " + dev + " down)";
  }

  @Override
  public String describeRevert() {
    return dev + " up, its addresses and routes back";
  }

  @Override
  public void apply() {
    if (addresses == null) {
      JsonNode link = json(runner.check("ip", "-j", "link", "show", "dev", dev).stdout()).path(0);
      if (!link.path("flags").toString().contains("\"UP\"")) {
        throw new Refused(dev + " is administratively down already: there is nothing to take down");
      }
      addresses = addressesNow();
      routes = routesNow();
    }
    taken = true; // from here on, revert brings it up: also if the next command fails half-way
    runner.check("ip", "link", "set", "dev", dev, "down");
  }

  @Override
  public void revert() {
    if (!taken) {
      return; // never taken down: leave the link as it is
    }
    runner.check("ip", "link", "set", "dev", dev, "up");
    List<String> failed = new ArrayList<>();
    Set<String> haveAddrs = addressesNow().keySet();
    addresses.values().stream().filter(a -> !haveAddrs.contains(a.key()))
        .forEach(a -> addWithRetry(a.addArgv(), a.key(), failed));
    // Routes through the link itself first: a route via a gateway needs one to reach it.
    Set<String> haveRoutes = routesNow().keySet();
    routes.values().stream().filter(r -> !haveRoutes.contains(r.key()))
        .sorted((a, b) -> Boolean.compare(a.gateway() != null, b.gateway() != null))
        .forEach(r -> addWithRetry(r.addArgv(), r.toString(), failed));
    if (!failed.isEmpty()) {
      throw new IllegalStateException("could not add back on " + dev + ": " + String.join("; ", failed));
    }
  }

  /** Missing kernel prefix routes or IPv6 DAD can refuse an add for a moment: retry for ~3 s. */
  private void addWithRetry(List<String> argv, String what, List<String> failed) {
    for (int i = 1; ; i++) {
      CommandRunner.Result r = runner.run(argv, null);
      if (r.ok() || r.stderr().contains("File exists")) {
        return;
      }
      if (i == ATTEMPTS) {
        failed.add(what + " (" + r.stderr().strip() + ")");
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // finish restoring first; the caller sees the flag
      }
    }
  }

  private Map<String, AddrSpec> addressesNow() {
    JsonNode links = json(runner.check("ip", "-j", "addr", "show", "dev", dev).stdout());
    return AddrSpec.restorable(links.path(0), dev).stream()
        .collect(Collectors.toMap(AddrSpec::key, a -> a, (a, b) -> a, LinkedHashMap::new));
  }

  private Map<String, RouteSpec> routesNow() {
    Map<String, RouteSpec> out = new LinkedHashMap<>();
    for (boolean v6 : new boolean[] {false, true}) {
      CommandRunner.Result r = runner.run("ip", v6 ? "-6" : "-4", "-N", "-j", "route", "show", "table", "all",
          "dev", dev);
      if (!r.ok()) {
        continue; // no IPv6 on this host, say
      }
      for (JsonNode route : json(r.stdout())) {
        RouteSpec spec = RouteSpec.restorable(route, v6, dev, ownProto);
        if (spec != null) {
          out.putIfAbsent(spec.key(), spec);
        }
      }
    }
    return out;
  }

  private static JsonNode json(String text) {
    try {
      return text.isBlank() ? JSON.createArrayNode() : JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable ip -j output: " + e.getMessage());
    }
  }
}
