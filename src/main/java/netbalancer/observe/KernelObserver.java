package netbalancer.observe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
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
 * {@code route show table all} of them was 90 MB of JSON. What is read, each filtered by the
 * kernel where it can (iproute2 6.1 asks the kernel for table, protocol and device; strict
 * checking):
 * <ul>
 *   <li>links and addresses; policy rules (small);
 *   <li>our routes: {@code route show table T proto P} for each of our tables (a table that does
 *       not exist answers an empty list); on the first read and after {@link #resync()},
 *       {@code route show table all proto P} (0.1 s at 1 000 000 routes) also finds ours in a
 *       table the configuration no longer names (a reload, a restart with other tables);
 *   <li>the main table's view: its default routes and its connected ({@code proto kernel}) routes.
 *       The connected ones the kernel filters. For the defaults no kernel filter fits (their
 *       protocol is anyone's: dhcp, static, boot, a BGP feed's), so the kernel sends all of main
 *       and ip keeps the defaults: 0.5 s at 1 000 000 routes. The daemon's observer therefore
 *       keeps this view until {@link #mainChanged()} says a route event may have changed it;
 *   <li>the neighbors on the devices of the default routes (the gateways' devices);
 *   <li>our nft table, in a second subprocess.
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
   * added to the links the IPv4 read found; its rules and routes are kept apart by family.
   */
  private static final List<String> IP6 = List.of("ip", "-j", "-d", "-N", "-6", "-force", "-batch", "-");

  /** The main table as far as we look at it: default routes and connected prefixes. */
  private record MainView(List<Route> routes, long generation) {
  }

  private static final Set<Family> BOTH = Collections.unmodifiableSet(EnumSet.allOf(Family.class));

  private final CommandRunner runner;
  private final int rtProto;
  private final List<Integer> ownTables;
  private final boolean keepMain;
  /**
   * Per family, so an event of one (a carrier loss deletes the uplink's IPv6 connected route)
   * never re-reads the other, whose main table may hold a routing feed's million routes.
   */
  private final Map<Family, AtomicLong> mainGeneration = new EnumMap<>(Map.of(Family.INET, new AtomicLong(),
      Family.INET6, new AtomicLong()));
  private final Map<Family, MainView> main = new ConcurrentHashMap<>();
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
   * The daemon's: keeps the main table's view between passes until {@link #mainChanged()} (a route
   * event that may change it, a restarted monitor, the periodic resync).
   */
  public static KernelObserver keepingMain(CommandRunner runner, int rtProto, Collection<Integer> ownTables) {
    return new KernelObserver(runner, rtProto, ownTables, true);
  }

  /** The main table's defaults or connected prefixes may have changed: the next read looks again. */
  public void mainChanged() {
    mainChanged(BOTH);
  }

  /** As {@link #mainChanged()}, for the main table of these families only. */
  public void mainChanged(Set<Family> families) {
    families.forEach(f -> mainGeneration.get(f).incrementAndGet());
  }

  /** The next read looks at everything again: the main table, and our routes in every table. */
  public void resync() {
    sweep = true;
    mainChanged();
  }

  /**
   * What a pass needs: our routes, in the tables the last read found ours in (routes, or rules
   * that look them up) — every table on a sweep. Only tables known to exist are asked for: after
   * a dump of a table that does not exist, ip 6.1 in batch mode answered each further route
   * query with a whole unfiltered dump (32 s for 64 queries at 100 000 routes). A table that a
   * pass's apply adds is known from the next read on (its rule is); meanwhile one pass replaces
   * its routes again, which changes nothing.
   */
  public KernelState observe() {
    if (sweep || !keepMain) {
      sweep = false;
      return observeEverythingOurs();
    }
    return read(List.copyOf(known), false);
  }

  /** For cleanup: our routes in any table (also one LB_TABLE no longer names). */
  public KernelState observeEverythingOurs() {
    return read(null, true);
  }

  /** @param tables the tables to ask for our routes in, or null for all of them */
  private KernelState read(List<Integer> tables, boolean anyTable) {
    for (int attempt = 0; ; attempt++) {
      List<Route> mainRoutes = mainRoutes();
      try {
        return read(mainRoutes, tables);
      } catch (DeviceGone e) {
        // A gateway's device vanished between the two reads; its route is gone too by now.
        mainChanged();
        if (attempt > 0) {
          throw new IllegalStateException(e.getMessage());
        }
      }
    }
  }

  private KernelState read(List<Route> mainRoutes, List<Integer> tables) {
    Set<String> devices = new LinkedHashSet<>();
    for (Route r : mainRoutes) {
      if (r.isDefault() && r.family() == Family.INET) { // IPv6 neighbors (NDP) are not read yet
        r.nexthops().stream().map(Nexthop::dev).filter(d -> BATCH_SAFE.matcher(d).matches()).forEach(devices::add);
      }
    }
    List<String> queries = new ArrayList<>(List.of("address show", "rule show"));
    List<String> neighborDevs = List.copyOf(devices);
    neighborDevs.forEach(d -> queries.add("neigh show dev " + d));
    int firstOurs = queries.size();
    if (tables == null) {
      queries.add("route show table all proto " + rtProto);
    } else {
      tables.forEach(t -> queries.add("route show table " + t + " proto " + rtProto));
    }

    List<Link> links = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    List<Route> routes = new ArrayList<>(mainRoutes);
    List<Neighbor> neighbors = new ArrayList<>();
    Set<Integer> seen = new TreeSet<>();
    CommandRunner.Result result = runner.run(IP, String.join("\n", queries) + "\n");
    int answered = IpJson.forEachElement(result.stdout(), (q, n) -> {
      if (q == 0) {
        links.add(IpJson.link(n));
      } else if (q == 1) {
        Rule rule = IpJson.rule(n, Family.INET);
        rules.add(rule);
        if (rule.protocol() == rtProto && rule.table() > 0) {
          seen.add(rule.table());
        }
      } else if (q < firstOurs) {
        neighbors.add(IpJson.neighbor(n, neighborDevs.get(q - 2)));
      } else {
        Route r = IpJson.ownRoute(n, Family.INET, tables == null ? MAIN_TABLE : tables.get(q - firstOurs), rtProto);
        if (r != null) {
          routes.add(r);
          seen.add(r.table());
        }
      }
    });
    if (answered != queries.size()) {
      // ip prints nothing at all for a device it cannot find (a table that does not exist is an
      // empty list): which answer is missing cannot be told, so the whole read is repeated.
      String why = "ip -batch answered " + answered + " of " + queries.size() + " queries: " + result.stderr().strip();
      if (!neighborDevs.isEmpty()) {
        throw new DeviceGone(why);
      }
      throw new IllegalStateException(why);
    }
    // Per family: a table of ours may exist for IPv4 only, and asking ip -6 for it would start the
    // whole-dump fallback described at observe().
    readIpv6(tables == null ? null : List.copyOf(known6), links, rules, routes);
    seen.remove(MAIN_TABLE); // never ours to dump: a feed's million routes live there
    known = Set.copyOf(seen);
    return new KernelState(links, routes, rules, neighbors, nftTable());
  }

  /** Adds the IPv6 addresses, rules and our IPv6 routes to what the IPv4 read found. */
  private void readIpv6(List<Integer> tables, List<Link> links, List<Rule> rules, List<Route> routes) {
    Set<Integer> seen = new TreeSet<>();
    List<String> queries = new ArrayList<>(List.of("address show", "rule show"));
    if (tables == null) {
      queries.add("route show table all proto " + rtProto);
    } else {
      tables.forEach(t -> queries.add("route show table " + t + " proto " + rtProto));
    }
    java.util.Map<String, List<Address>> addresses = new java.util.HashMap<>();
    CommandRunner.Result result = runner.run(IP6, String.join("\n", queries) + "\n");
    int answered = IpJson.forEachElement(result.stdout(), (q, n) -> {
      if (q == 0) {
        Link l = IpJson.link(n);
        addresses.put(l.name(), l.addresses().stream().filter(a -> a.family() == Family.INET6).toList());
      } else if (q == 1) {
        Rule rule = IpJson.rule(n, Family.INET6);
        rules.add(rule);
        if (rule.protocol() == rtProto && rule.table() > 0) {
          seen.add(rule.table());
        }
      } else {
        Route r = IpJson.ownRoute(n, Family.INET6, tables == null ? MAIN_TABLE : tables.get(q - 2), rtProto);
        if (r != null) {
          routes.add(r);
          seen.add(r.table());
        }
      }
    });
    seen.remove(MAIN_TABLE);
    known6 = Set.copyOf(seen);
    if (answered != queries.size()) {
      throw new IllegalStateException("ip -6 -batch answered " + answered + " of " + queries.size()
          + " queries: " + result.stderr().strip());
    }
    for (int i = 0; i < links.size(); i++) {
      Link l = links.get(i);
      List<Address> v6 = addresses.getOrDefault(l.name(), List.of());
      if (!v6.isEmpty()) {
        List<Address> all = new ArrayList<>(l.addresses());
        all.addAll(v6);
        links.set(i, new Link(l.name(), l.ifindex(), l.adminUp(), l.carrier(), l.pointToPoint(), l.kind(), all));
      }
    }
  }

  /** Both families' main-table views, each kept unless something said it changed since it was read. */
  private List<Route> mainRoutes() {
    List<Route> routes = new ArrayList<>(mainView(Family.INET).routes());
    routes.addAll(mainView(Family.INET6).routes());
    return routes;
  }

  /** One family's defaults and connected ({@code proto kernel}) prefixes of the main table. */
  private MainView mainView(Family family) {
    long generation = mainGeneration.get(family).get();
    MainView kept = main.get(family);
    if (keepMain && kept != null && kept.generation() == generation) {
      return kept;
    }
    List<Route> routes = new ArrayList<>();
    List<String> ip = family == Family.INET ? IP : IP6;
    int answered = IpJson.forEachElement(runner.check(ip, String.join("\n", List.of("route show table main default",
        "route show table main proto " + KERNEL_PROTO)) + "\n").stdout(), (q, n) -> {
          Route r = IpJson.route(n, family, MAIN_TABLE, q == 1 ? KERNEL_PROTO : 0);
          if (r != null) {
            routes.add(r);
          }
        });
    if (answered != 2) {
      throw new IllegalStateException("ip " + family.ipFlag() + " -batch answered " + answered + " of 2 queries");
    }
    MainView view = new MainView(List.copyOf(routes), generation);
    main.put(family, view);
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
