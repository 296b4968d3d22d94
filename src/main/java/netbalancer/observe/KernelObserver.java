package netbalancer.observe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import netbalancer.system.CommandRunner;

/**
 * Reads the part of the kernel's state the balancer needs — never every route of every table: a
 * router that also carries a routing feed has up to a million routes in its main table, and one
 * {@code route show table all} of them was 90 MB of JSON. What is read:
 * <ul>
 *   <li>links and addresses, policy rules, and the neighbors on the devices of the default routes
 *       (the gateways' devices): one {@code ip -batch} per family (all small);
 *   <li>every route query on its own, never in a batch: iproute2 6.1 turns on the kernel's strict
 *       checking of dump requests (which makes the kernel filter by table, protocol and device)
 *       for a single command only, not in {@code -batch} mode. There, each route query was a dump
 *       of every route of every table that ip then filtered (0.43 s each at 1 000 000 routes,
 *       seen in strace: no NETLINK_GET_STRICT_CHK). Alone, a query of one small table of ours
 *       takes the kernel no time at any size;
 *   <li>our routes: {@code route show table T proto P} for each table of ours known to exist (our
 *       rules look it up, or the last read found ours in it); on the first read,
 *       {@code route show table all proto P} (one walk of every table, ~0.1 s at 1 000 000
 *       routes) also finds ours in a table the configuration no longer names;
 *   <li>the main table's view ({@link MainPart}): its connected routes ({@code proto kernel},
 *       kernel-filtered: one walk of main, ~0.05 s at 1 000 000 routes) and its default routes
 *       (no kernel filter fits: their protocol is anyone's, dhcp, static, ra, a BGP feed's; the
 *       kernel sends all of main and ip keeps the defaults, ~0.25 s at 1 000 000 routes). The
 *       daemon's observer keeps each part until {@link #mainChanged} says a route event may have
 *       changed it (see docs/design.md, "The main table's view");
 *   <li>our nft table.
 * </ul>
 * Answers are parsed streaming, one element at a time.
 */
public final class KernelObserver {
  public static final String NFT_FAMILY = "inet";
  public static final String NFT_TABLE = "net_balancer";
  /** The set of outbound TCP connections whose first SYN is not answered yet (see {@link PendingSyn}). */
  public static final String SYN_SET = "syn_sent";
  /** How long an unanswered SYN stays in {@link #SYN_SET}. */
  public static final int SYN_SET_TIMEOUT_SECONDS = 10;
  static final int MAIN_TABLE = 254;
  static final int KERNEL_PROTO = 2;
  /** Names ip's batch parser reads as one word; discovery ignores other names anyway. */
  private static final Pattern BATCH_SAFE = Pattern.compile("[A-Za-z0-9_.+-]{1,15}");
  private static final List<String> IP = List.of("ip", "-j", "-d", "-N", "-4", "-force", "-batch", "-");
  /**
   * The IPv6 half, a second subprocess: a batch line cannot switch family. Its addresses are
   * added to the links the IPv4 read found; its rules are kept apart by family.
   */
  private static final List<String> IP6 = List.of("ip", "-j", "-d", "-N", "-6", "-force", "-batch", "-");

  /** One part of one family's main table, as last read. */
  private record MainView(List<Route> routes, long generation) {
  }

  private record Slot(Family family, MainPart part) {
  }

  private static final Set<Family> BOTH = Collections.unmodifiableSet(EnumSet.allOf(Family.class));

  private final CommandRunner runner;
  private final int rtProto;
  private final List<Integer> ownTables;
  private final boolean keepMain;
  /**
   * Per family and part, so an event of one (a carrier loss deletes the uplink's IPv6 connected
   * route) never re-reads another, whose main table may hold a routing feed's million routes.
   */
  private final Map<Slot, AtomicLong> mainGeneration = new ConcurrentHashMap<>();
  private final Map<Slot, MainView> main = new ConcurrentHashMap<>();
  private volatile boolean sweep = true;
  private volatile Set<Integer> known = Set.of();
  private volatile Set<Integer> known6 = Set.of();

  private KernelObserver(CommandRunner runner, int rtProto, Collection<Integer> ownTables, boolean keepMain) {
    if (rtProto < 1 || rtProto > 255) {
      throw new IllegalArgumentException("route protocol " + rtProto + " outside 1..255");
    }
    this.runner = runner;
    this.rtProto = rtProto;
    this.ownTables = List.copyOf(new LinkedHashSet<>(ownTables));
    this.keepMain = keepMain;
    for (Family f : Family.values()) {
      for (MainPart p : MainPart.values()) {
        mainGeneration.put(new Slot(f, p), new AtomicLong());
      }
    }
  }

  /**
   * Reads everything afresh every time (the CLI, the harness, the bench).
   *
   * @param rtProto   the protocol number our routes carry
   * @param ownTables the tables our routes may be in
   */
  public static KernelObserver of(CommandRunner runner, int rtProto, Collection<Integer> ownTables) {
    return new KernelObserver(runner, rtProto, ownTables, false);
  }

  /**
   * The daemon's: keeps the main table's view between passes until {@link #mainChanged} (a route
   * event that may change it, a restarted monitor, a monitor that lost events).
   */
  public static KernelObserver keepingMain(CommandRunner runner, int rtProto, Collection<Integer> ownTables) {
    return new KernelObserver(runner, rtProto, ownTables, true);
  }

  /** Anything of the main table may have changed: the next read looks at all of it again. */
  public void mainChanged() {
    mainChanged(BOTH, EnumSet.allOf(MainPart.class));
  }

  /** As {@link #mainChanged()}, for these parts of the main table of these families only. */
  public void mainChanged(Set<Family> families, Set<MainPart> parts) {
    families.forEach(f -> parts.forEach(p -> mainGeneration.get(new Slot(f, p)).incrementAndGet()));
  }

  /**
   * What a pass needs: our routes, in the tables of ours known to exist (our rules look them up,
   * or the last read found ours in them) — every table on the first read. A table that does not
   * exist is never asked for: the kernel refuses the dump ("FIB table does not exist"); one that
   * vanished since is read as empty.
   */
  public KernelState observe() {
    if (sweep || !keepMain) {
      sweep = false;
      return observeEverythingOurs();
    }
    return read(false);
  }

  /** For cleanup: our routes in any table (also one LB_TABLE no longer names). */
  public KernelState observeEverythingOurs() {
    return read(true);
  }

  private KernelState read(boolean anyTable) {
    for (int attempt = 0; ; attempt++) {
      List<Route> mainRoutes = mainRoutes();
      try {
        return read(mainRoutes, anyTable);
      } catch (DeviceGone e) {
        // A gateway's device vanished between the two reads; its route is gone too by now.
        mainChanged();
        if (attempt > 0) {
          throw new IllegalStateException(e.getMessage());
        }
      }
    }
  }

  private KernelState read(List<Route> mainRoutes, boolean anyTable) {
    Set<String> devices = new LinkedHashSet<>();
    for (Route r : mainRoutes) {
      if (r.isDefault() && r.family() == Family.INET) { // IPv6 neighbors (NDP): readIpv6
        r.nexthops().stream().map(Nexthop::dev).filter(d -> BATCH_SAFE.matcher(d).matches()).forEach(devices::add);
      }
    }
    List<String> queries = new ArrayList<>(List.of("address show", "rule show"));
    List<String> neighborDevs = List.copyOf(devices);
    neighborDevs.forEach(d -> queries.add("neigh show dev " + d));

    List<Link> links = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    List<Route> routes = new ArrayList<>(mainRoutes);
    List<Neighbor> neighbors = new ArrayList<>();
    CommandRunner.Result result = runner.run(IP, String.join("\n", queries) + "\n");
    int answered = IpJson.forEachElement(result.stdout(), (q, n) -> {
      if (q == 0) {
        links.add(IpJson.link(n));
      } else if (q == 1) {
        rules.add(IpJson.rule(n, Family.INET));
      } else {
        neighbors.add(IpJson.neighbor(n, neighborDevs.get(q - 2)));
      }
    });
    if (answered != queries.size()) {
      // ip prints nothing at all for a device it cannot find: which answer is missing cannot be
      // told, so the whole read is repeated.
      String why = "ip -batch answered " + answered + " of " + queries.size() + " queries: " + result.stderr().strip();
      if (!neighborDevs.isEmpty()) {
        throw new DeviceGone(why);
      }
      throw new IllegalStateException(why);
    }
    known = ourRoutes(Family.INET, anyTable ? null : tablesToAsk(known, rules, Family.INET), routes);
    readIpv6(anyTable, links, rules, routes, neighbors);
    return new KernelState(links, routes, rules, neighbors, nftTable());
  }

  /** Tables the last read found ours in, and those our rules (as read just now) look up. */
  private Set<Integer> tablesToAsk(Set<Integer> lastSeen, List<Rule> rules, Family family) {
    Set<Integer> out = new TreeSet<>(lastSeen);
    for (Rule rule : rules) {
      if (rule.family() == family && rule.protocol() == rtProto && rule.table() > 0 && rule.table() != MAIN_TABLE) {
        out.add(rule.table());
      }
    }
    return out;
  }

  /**
   * Adds our routes of one family to {@code routes}, one {@code ip} call per table (or one for
   * every table when {@code tables} is null).
   *
   * @return the tables ours were found in, for the next read (never main: a feed lives there)
   */
  private Set<Integer> ourRoutes(Family family, Set<Integer> tables, List<Route> routes) {
    Set<Integer> seen = new TreeSet<>();
    if (tables == null) {
      readRoutes(family, "all", MAIN_TABLE, routes, seen);
    } else {
      tables.forEach(t -> readRoutes(family, Integer.toString(t), t, routes, seen));
    }
    seen.remove(MAIN_TABLE);
    return Set.copyOf(seen);
  }

  private void readRoutes(Family family, String table, int tableNumber, List<Route> routes, Set<Integer> seen) {
    CommandRunner.Result r = runner.run(List.of("ip", "-j", "-d", "-N", family.ipFlag(), "route", "show", "table", table,
        "proto", Integer.toString(rtProto)), null);
    if (!r.ok()) {
      if (r.stderr().contains("table does not exist")) {
        return; // deleted since the rules were read: nothing of ours is in it
      }
      throw new IllegalStateException("ip " + family.ipFlag() + " route show table " + table + ": " + r.stderr().strip());
    }
    IpJson.forEachElement(r.stdout(), (q, n) -> {
      Route route = IpJson.ownRoute(n, family, tableNumber, rtProto);
      if (route != null) {
        routes.add(route);
        seen.add(route.table());
      }
    });
  }

  /** Adds the IPv6 addresses, rules and our IPv6 routes to what the IPv4 read found. */
  private void readIpv6(boolean anyTable, List<Link> links, List<Rule> rules, List<Route> routes,
      List<Neighbor> neighbors) {
    java.util.Map<String, List<Address>> addresses = new java.util.HashMap<>();
    List<Rule> rules6 = new ArrayList<>();
    java.util.Map<String, Link> v6Links = new java.util.LinkedHashMap<>();
    List<String> queries = new ArrayList<>(List.of("address show", "rule show"));
    // NDP: the neighbors on the devices of the IPv6 defaults (the IPv6 gateways' devices).
    Set<String> devices = new LinkedHashSet<>();
    for (Route r : routes) {
      if (r.isDefault() && r.family() == Family.INET6 && r.table() == MAIN_TABLE) {
        r.nexthops().stream().map(Nexthop::dev).filter(d -> d != null && BATCH_SAFE.matcher(d).matches())
            .forEach(devices::add);
      }
    }
    List<String> neighborDevs = List.copyOf(devices);
    neighborDevs.forEach(d -> queries.add("neigh show dev " + d));
    CommandRunner.Result result = runner.run(IP6, String.join("\n", queries) + "\n");
    int answered = IpJson.forEachElement(result.stdout(), (q, n) -> {
      if (q == 0) {
        Link l = IpJson.link(n);
        addresses.put(l.name(), l.addresses().stream().filter(a -> a.family() == Family.INET6).toList());
        v6Links.put(l.name(), l);
      } else if (q == 1) {
        rules6.add(IpJson.rule(n, Family.INET6));
      } else {
        neighbors.add(IpJson.neighbor(n, neighborDevs.get(q - 2)));
      }
    });
    if (answered != queries.size()) {
      String why = "ip -6 -batch answered " + answered + " of " + queries.size() + " queries: "
          + result.stderr().strip();
      if (!neighborDevs.isEmpty()) {
        throw new DeviceGone(why); // as for IPv4: a device gone between the reads; read again
      }
      throw new IllegalStateException(why);
    }
    rules.addAll(rules6);
    // Per family: a table of ours may exist for IPv4 only, and the kernel refuses a dump of a
    // table that does not exist.
    known6 = ourRoutes(Family.INET6, anyTable ? null : tablesToAsk(known6, rules6, Family.INET6), routes);
    for (int i = 0; i < links.size(); i++) {
      Link l = links.get(i);
      v6Links.remove(l.name());
      List<Address> v6 = addresses.getOrDefault(l.name(), List.of());
      if (!v6.isEmpty()) {
        List<Address> all = new ArrayList<>(l.addresses());
        all.addAll(v6);
        links.set(i, new Link(l.name(), l.ifindex(), l.adminUp(), l.carrier(), l.pointToPoint(), l.kind(), all));
      }
    }
    // A link with IPv6 addresses alone is missing from the IPv4 read (ip -4 lists only links
    // with IPv4 addresses): an IPv6-only uplink's link is known from here.
    v6Links.values().forEach(l -> links.add(new Link(l.name(), l.ifindex(), l.adminUp(), l.carrier(),
        l.pointToPoint(), l.kind(), addresses.get(l.name()))));
  }

  /** Both families' main-table views, each part kept unless something said it changed since it was read. */
  private List<Route> mainRoutes() {
    List<Route> routes = new ArrayList<>();
    for (Family f : Family.values()) {
      routes.addAll(mainView(f, MainPart.DEFAULTS).routes());
      routes.addAll(mainView(f, MainPart.CONNECTED).routes());
    }
    return routes;
  }

  /** One family's defaults or connected ({@code proto kernel}) prefixes of the main table. */
  private MainView mainView(Family family, MainPart part) {
    Slot slot = new Slot(family, part);
    long generation = mainGeneration.get(slot).get();
    MainView kept = main.get(slot);
    if (keepMain && kept != null && kept.generation() == generation) {
      return kept;
    }
    List<String> argv = new ArrayList<>(List.of("ip", "-j", "-d", "-N", family.ipFlag(), "route", "show", "table", "main"));
    argv.addAll(part == MainPart.DEFAULTS ? List.of("default") : List.of("proto", Integer.toString(KERNEL_PROTO)));
    List<Route> routes = new ArrayList<>();
    IpJson.forEachElement(runner.check(argv, null).stdout(), (q, n) -> {
      Route r = IpJson.route(n, family, MAIN_TABLE, part == MainPart.CONNECTED ? KERNEL_PROTO : 0);
      if (r != null) {
        routes.add(r);
      }
    });
    MainView view = new MainView(List.copyOf(routes), generation);
    main.put(slot, view);
    return view;
  }

  /**
   * The devices the IPv4 default route in {@code table} spans now: with LB_TABLE, the uplinks new
   * connections are balanced over. One small {@code ip} call (the harness polls it every 20 ms);
   * null when ip fails (the namespace is gone, say).
   */
  public static Set<String> defaultRouteDevices(CommandRunner runner, int table) {
    CommandRunner.Result r = runner.run("ip", "-j", "-d", "-N", "-4", "route", "show", "table", Integer.toString(table));
    return r.ok() ? defaultRouteDevices(r.stdout()) : null;
  }

  /** The devices of the default route(s) in {@code ip -j route show} output, sorted. */
  static Set<String> defaultRouteDevices(String ipJson) {
    Set<String> devs = new TreeSet<>();
    if (ipJson == null || ipJson.isBlank()) {
      return devs;
    }
    IpJson.forEachElement(ipJson, (q, n) -> {
      Route r = IpJson.route(n, Family.INET, 0, 0);
      if (r != null && r.isDefault()) {
        r.nexthops().forEach(h -> devs.add(h.dev()));
      }
    });
    return devs;
  }

  /**
   * The connections whose first SYN left by an uplink and got no answer yet (from our nft set:
   * one small call, whatever the connection table holds); null when the set cannot be read.
   */
  public static List<PendingSyn> pendingSyns(CommandRunner runner) {
    CommandRunner.Result r = runner.run(List.of("nft", "-j", "list", "set", NFT_FAMILY, NFT_TABLE, SYN_SET), null,
        java.time.Duration.ofSeconds(2));
    return r.ok() ? PendingSyn.parse(r.stdout()) : null;
  }

  public NftTable nftTable() {
    CommandRunner.Result r = runner.run("nft", "-j", "list", "table", NFT_FAMILY, NFT_TABLE);
    return r.ok() ? NftJson.table(r.stdout()) : NftTable.ABSENT;
  }

  private static final class DeviceGone extends RuntimeException {
    DeviceGone(String message) {
      super(message, null, false, false);
    }
  }
}
