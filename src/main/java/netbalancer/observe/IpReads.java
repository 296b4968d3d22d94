package netbalancer.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import netbalancer.system.CommandRunner;

/**
 * The kernel reads by {@code ip -j -d -N} processes (the CLI's, and the daemon's when netlink
 * cannot be had): one {@code ip -batch} per family for links, addresses, rules and neighbors (a
 * batch line cannot switch family), and every route query on its own, never in a batch: iproute2
 * 6.1 turns on the kernel's strict checking of dump requests (which makes the kernel filter by
 * table, protocol and device) for a single command only. In a batch each route query was a dump
 * of every route of every table that ip then filtered (0.43 s each at 1 000 000 routes).
 */
final class IpReads implements KernelReads {
  /** Names ip's batch parser reads as one word; discovery ignores other names anyway. */
  private static final Pattern BATCH_SAFE = Pattern.compile("[A-Za-z0-9_.+-]{1,15}");
  private static final List<String> IP = List.of("ip", "-j", "-d", "-N", "-4", "-force", "-batch", "-");
  private static final List<String> IP6 = List.of("ip", "-j", "-d", "-N", "-6", "-force", "-batch", "-");

  private final CommandRunner runner;

  IpReads(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * {@code nft -j list table}, read streaming: nft's answer still grows with the sticky maps'
   * elements (8 MB and ~4 s of nft with two maps of 65 536), the memory it takes here does not.
   */
  @Override
  public NftTable nftTable() {
    CommandRunner.Result r = runner.run("nft", "-j", "list", "table", KernelObserver.NFT_FAMILY,
        KernelObserver.NFT_TABLE);
    return r.ok() ? NftJson.table(r.stdout()) : NftTable.ABSENT;
  }

  @Override
  public FamilyRead family(Family family, List<String> neighborDevices) {
    List<String> devs = neighborDevices.stream().filter(d -> BATCH_SAFE.matcher(d).matches()).toList();
    List<String> queries = new ArrayList<>(List.of("address show", "rule show"));
    devs.forEach(d -> queries.add("neigh show dev " + d));
    List<Link> links = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    List<Neighbor> neighbors = new ArrayList<>();
    CommandRunner.Result result = runner.run(family == Family.INET ? IP : IP6, String.join("\n", queries) + "\n");
    int answered = IpJson.forEachElement(result.stdout(), (q, n) -> {
      if (q == 0) {
        Link l = IpJson.link(n);
        // ip -4 prints IPv4 addresses only; the IPv6 half keeps its own (as the observer always did).
        links.add(family == Family.INET ? l : new Link(l.name(), l.ifindex(), l.adminUp(), l.carrier(),
            l.pointToPoint(), l.kind(), l.addresses().stream().filter(a -> a.family() == Family.INET6).toList()));
      } else if (q == 1) {
        rules.add(IpJson.rule(n, family));
      } else {
        neighbors.add(IpJson.neighbor(n, devs.get(q - 2)));
      }
    });
    if (answered != queries.size()) {
      // ip prints nothing at all for a device it cannot find: which answer is missing cannot be
      // told, so the whole read is repeated.
      String why = "ip " + family.ipFlag() + " -batch answered " + answered + " of " + queries.size() + " queries: "
          + result.stderr().strip();
      if (!devs.isEmpty()) {
        throw new DeviceGone(why);
      }
      throw new IllegalStateException(why);
    }
    return new FamilyRead(links, rules, neighbors);
  }

  @Override
  public List<Route> ours(Family family, Integer table, int rtProto) {
    String name = table == null ? "all" : table.toString();
    CommandRunner.Result r = runner.run(List.of("ip", "-j", "-d", "-N", family.ipFlag(), "route", "show", "table", name,
        "proto", Integer.toString(rtProto)), null);
    if (!r.ok()) {
      if (r.stderr().contains("table does not exist")) {
        return List.of(); // deleted since the rules were read: nothing of ours is in it
      }
      throw new IllegalStateException("ip " + family.ipFlag() + " route show table " + name + ": " + r.stderr().strip());
    }
    List<Route> routes = new ArrayList<>();
    int fallback = table == null ? KernelObserver.MAIN_TABLE : table;
    IpJson.forEachElement(r.stdout(), (q, n) -> {
      Route route = IpJson.ownRoute(n, family, fallback, rtProto);
      if (route != null) {
        routes.add(route);
      }
    });
    return routes;
  }

  /**
   * IPv4: the kernel dumps its routing trie in address order, so every route to 0.0.0.0/x (the
   * defaults, and a 0.0.0.0/1 or 0.0.0.0/8 someone may have) comes first; the read stops at the
   * first other prefix, and the kernel never makes the rest of the dump (the cost does not grow
   * with the table; all of main was ~0.25 s at 1 000 000 routes). IPv6's tree is walked children
   * first, ::/0 last, so its defaults are a whole dump of IPv6's main, filtered by ip.
   */
  @Override
  public List<Route> mainDefaults(Family family) {
    List<String> argv = new ArrayList<>(mainArgv(family));
    List<Route> routes = new ArrayList<>();
    if (family == Family.INET) {
      runner.stream(argv, CommandRunner.DEFAULT_TIMEOUT, in -> {
        IpJson.forEachElementWhile(in, n -> {
          String dst = n.path("dst").asText("");
          if (!dst.equals("default") && !dst.startsWith("0.0.0.0/")) {
            return false;
          }
          Route r = IpJson.route(n, family, KernelObserver.MAIN_TABLE, 0);
          if (r != null && r.isDefault()) {
            routes.add(r);
          }
          return true;
        });
        return null;
      });
      return routes;
    }
    argv.add("default");
    return mainRoutes(argv, family, 0);
  }

  @Override
  public List<Route> mainConnected(Family family) {
    List<String> argv = new ArrayList<>(mainArgv(family));
    argv.addAll(List.of("proto", Integer.toString(KernelObserver.KERNEL_PROTO)));
    return mainRoutes(argv, family, KernelObserver.KERNEL_PROTO);
  }

  private static List<String> mainArgv(Family family) {
    return List.of("ip", "-j", "-d", "-N", family.ipFlag(), "route", "show", "table", "main");
  }

  private List<Route> mainRoutes(List<String> argv, Family family, int protocol) {
    List<Route> routes = new ArrayList<>();
    IpJson.forEachElement(runner.check(argv, null).stdout(), (q, n) -> {
      Route r = IpJson.route(n, family, KernelObserver.MAIN_TABLE, protocol);
      if (r != null) {
        routes.add(r);
      }
    });
    return routes;
  }
}
