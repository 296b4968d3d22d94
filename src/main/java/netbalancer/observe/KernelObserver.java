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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import netbalancer.log.Log;
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
 * Answers are parsed streaming, one element at a time. Each read is a {@link KernelReads} call:
 * an {@code ip} process ({@link KernelReads#ip}), or the same dump in-process over rtnetlink (the
 * daemon's, netbalancer.netlink.NetlinkReads: no process start per read); our nft table by an
 * {@code nft} process, or over nfnetlink (the daemon's).
 */
public final class KernelObserver {
  public static final String NFT_FAMILY = "inet";
  public static final String NFT_TABLE = "net_balancer";
  /** The set of outbound TCP connections whose first SYN is not answered yet (see {@link PendingSyn}). */
  public static final String SYN_SET = "syn_sent";
  /** {@link #SYN_SET}'s IPv6 twin: a set's key has one address type. */
  public static final String SYN_SET6 = "syn_sent6";
  /** How long an unanswered SYN stays in {@link #SYN_SET} or {@link #SYN_SET6}. */
  public static final int SYN_SET_TIMEOUT_SECONDS = 10;
  /** The main routing table's number (RT_TABLE_MAIN). */
  public static final int MAIN_TABLE = 254;
  static final int KERNEL_PROTO = 2;
  /**
   * Names ip's batch parser reads as one word; discovery ignores other names anyway (asked of
   * either reader, so both read the same neighbors).
   */
  private static final Pattern BATCH_SAFE = Pattern.compile("[A-Za-z0-9_.+-]{1,15}");

  /** One part of one family's main table, as last read. */
  private record MainView(List<Route> routes, long generation) {
  }

  private record Slot(Family family, MainPart part) {
  }

  private static final Slot CONNECTED4 = new Slot(Family.INET, MainPart.CONNECTED);

  private static final Set<Family> BOTH = Collections.unmodifiableSet(EnumSet.allOf(Family.class));
  /**
   * The reads of a pass run at the same time, each an {@code ip} or {@code nft} process: one after
   * another, their start-up costs added up to most of a pass.
   */
  private static final ExecutorService READS = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "kernel-read");
    t.setDaemon(true);
    return t;
  });

  private final KernelReads source;
  private final int rtProto;
  private final List<Integer> ownTables;
  private final boolean keepMain;
  /**
   * Per family and part, so an event of one (a carrier loss deletes the uplink's IPv6 connected
   * route) never re-reads another, whose main table may hold a routing feed's million routes.
   */
  private final Map<Slot, AtomicLong> mainGeneration = new ConcurrentHashMap<>();
  private final Map<Slot, MainView> main = new ConcurrentHashMap<>();
  private final AtomicLong oursGeneration = new AtomicLong();
  /** Bumped when only our nft table is to be read again (the periodic resync, mostly). */
  private final AtomicLong nftGeneration = new AtomicLong();
  private volatile Ours ours;
  private volatile Set<Integer> known = Set.of();
  private volatile Set<Integer> known6 = Set.of();
  /** The tables our rules looked up at the last read: asked with {@link #known}, at the same time as the rules. */
  private volatile Set<Integer> ruleTables4 = Set.of();
  private volatile Set<Integer> ruleTables6 = Set.of();
  private int reads;
  private volatile boolean sweepFirst;
  /** Set by the first read that took IPv4's connected routes from the addresses ({@link ConnectedRoutes}). */
  private final java.util.concurrent.atomic.AtomicBoolean connectedDerived = new java.util.concurrent.atomic.AtomicBoolean();
  /** That read's dump of main's IPv4 connected routes, still running: the next read waits for it rather than start another. */
  private volatile PendingView pendingConnected;
  /**
   * The generation of main's IPv4 connected routes when the first read derived them, until their
   * dump is started ({@link #startDeferredConnected}): after the first apply, by
   * {@link #refreshOurs}, or by the next read; -1 when none is due.
   */
  private final AtomicLong connectedDue = new AtomicLong(-1);

  /** A main-table read started in the background, and the part's generation when it was started. */
  private record PendingView(Future<MainView> view, long generation) {
  }

  private KernelObserver(KernelReads reads, int rtProto, Collection<Integer> ownTables, boolean keepMain) {
    if (rtProto < 1 || rtProto > 255) {
      throw new IllegalArgumentException("route protocol " + rtProto + " outside 1..255");
    }
    this.source = reads;
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
    return of(KernelReads.ip(runner), rtProto, ownTables);
  }

  /** As {@link #of(CommandRunner, int, Collection)}, reading through {@code reads}. */
  public static KernelObserver of(KernelReads reads, int rtProto, Collection<Integer> ownTables) {
    return new KernelObserver(reads, rtProto, ownTables, false);
  }

  /**
   * The daemon's: keeps the main table's view between passes until {@link #mainChanged} (a route
   * event that may change it, a restarted monitor, a monitor that lost events).
   */
  public static KernelObserver keepingMain(CommandRunner runner, int rtProto, Collection<Integer> ownTables) {
    return keepingMain(KernelReads.ip(runner), rtProto, ownTables);
  }

  /** As {@link #keepingMain(CommandRunner, int, Collection)}, reading through {@code reads}. */
  public static KernelObserver keepingMain(KernelReads reads, int rtProto, Collection<Integer> ownTables) {
    return new KernelObserver(reads, rtProto, ownTables, true);
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
   * Our routes or our nft table may have changed (our own apply, a route event in a table of ours,
   * a device gone down, an address gone, lost events, the periodic resync): the daemon's next read
   * (or {@link #refreshOurs}) reads them again. Until then a pass reads only links, addresses,
   * rules and neighbors: a carrier loss changes nothing of ours (the kernel marks our routes
   * linkdown, which no plan compares) and must not wait for their reads.
   */
  public void oursChanged() {
    oursGeneration.incrementAndGet();
  }

  /**
   * Our nft table may have changed without any event saying so (a chain of ours flushed by someone
   * else raises no table event): the next read reads it again, but not our routes, whose every
   * change is a route event ({@link #oursChanged}); the periodic resync uses this, and an
   * {@code ip} process per table of ours and family was most of an idle daemon's resync.
   */
  public void nftChanged() {
    nftGeneration.incrementAndGet();
  }

  /**
   * Reads our routes and nft table again if {@link #oursChanged} said so since the last read: the
   * daemon calls this after a pass that applied something, so the next pass (a carrier loss, say)
   * finds them read already.
   */
  public void refreshOurs() {
    startDeferredConnected();
    long generation = oursGeneration.get();
    long nftGen = nftGeneration.get();
    Ours kept = ours;
    if (!keepMain || kept == null || kept.generation() == generation && kept.nftGeneration() == nftGen) {
      return;
    }
    if (kept.generation() == generation) {
      ours = new Ours(kept.v4(), kept.v6(), nftTable(), generation, nftGen);
      return;
    }
    Future<OurRoutes> r4 = READS.submit(() -> ourRoutes(Family.INET, union(known, ruleTables4)));
    Future<OurRoutes> r6 = READS.submit(() -> ourRoutes(Family.INET6, union(known6, ruleTables6)));
    NftTable nft = nftTable();
    OurRoutes v4 = join(r4);
    OurRoutes v6 = join(r6);
    known = v4.seen();
    known6 = v6.seen();
    ours = new Ours(v4, v6, nft, generation, nftGen);
  }

  /**
   * What a pass needs: our routes, in the tables of ours known to exist (our rules look them up,
   * or the last read found ours in them). A table that does not exist is never asked for: the
   * kernel refuses the dump ("FIB table does not exist"); one that vanished since is read as
   * empty. The CLI's observer looks in every table every time; the daemon's does on its second
   * read (the pass after the first apply): that walk of every table (~0.1 s at 1 000 000 routes
   * in main) would otherwise hold up the first apply, and what it finds is ours in a table no
   * rule of ours points to any more, which waits a pass without harm.
   */
  public KernelState observe() {
    if (!keepMain) {
      return observeEverythingOurs();
    }
    if (reads++ == (sweepFirst ? 0 : 1)) {
      return observeEverythingOurs();
    }
    return read(false);
  }

  /**
   * Makes the first read, not the second, look in every table: for a daemon that starts where a
   * state file of an earlier run is left (a crash, perhaps in the middle of a cleanup, or a
   * handover), whose routes may sit in a table no rule of ours points to any more. Without them
   * the first apply could take the namespace for one without anything of ours and set the file,
   * and the sysctl originals in it, aside as stale.
   */
  public void sweepOnFirstRead() {
    sweepFirst = true;
  }

  /** Waits for a read the first one left running (tests: so what it asks is not counted later). */
  void awaitBackgroundReads() {
    startDeferredConnected();
    PendingView pending = pendingConnected;
    if (pending != null) {
      try {
        pending.view().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        // its failure is the next read's to meet
      }
    }
  }

  /** For cleanup: our routes in any table (also one LB_TABLE no longer names). */
  public KernelState observeEverythingOurs() {
    return read(true);
  }

  /**
   * Starts the dump of main's IPv4 connected routes the first read left out, once: after the
   * first apply rather than beside it, since while the kernel walks all of main for it (~0.1 s at
   * 1 000 000 routes) its other answers and changes wait (measured there: an ip rule add took
   * 78-102 ms during that dump, 3 ms without), the apply's among them.
   */
  private void startDeferredConnected() {
    long gen = connectedDue.getAndSet(-1);
    if (gen >= 0) {
      pendingConnected = new PendingView(READS.submit(() -> mainView(CONNECTED4)), gen);
    }
  }

  private KernelState read(boolean anyTable) {
    startDeferredConnected(); // a daemon whose first pass applied nothing: this read's, then
    for (int attempt = 0; ; attempt++) {
      // The daemon's first read: IPv4's connected routes from the addresses, their dump (which walks
      // all of main) started after the first apply and left to the next pass (ConnectedRoutes).
      boolean derive = keepMain && keptView(CONNECTED4) == null && connectedDerived.compareAndSet(false, true);
      Map<Slot, Future<MainView>> main = mainReads(derive ? CONNECTED4 : null);
      try {
        return read(main, anyTable, derive);
      } catch (KernelReads.DeviceGone e) {
        // A gateway's device vanished between the two reads; its route is gone too by now.
        mainChanged();
        if (attempt > 0) {
          throw new IllegalStateException(e.getMessage());
        }
      }
    }
  }

  /**
   * Every read of a pass at the same time, each its own process (a small fixed pool): the main
   * table's parts (unless kept); links, addresses, rules and neighbors per family, as soon as the
   * defaults name the gateways' devices (not after main's connected routes: at 1 000 000 routes
   * their kernel walk is the slowest read of a first pass); our routes per table and family
   * (unless kept); our nft table (unless kept).
   */
  private KernelState read(Map<Slot, Future<MainView>> main, boolean anyTable, boolean deriveConnected) {
    long generation = oursGeneration.get();
    long nftGen = nftGeneration.get();
    Ours kept = keepMain && !anyTable ? ours : null;
    boolean reuse = kept != null && kept.generation() == generation;
    boolean reuseNft = reuse && kept.nftGeneration() == nftGen;
    Future<OurRoutes> o4 = null;
    Future<OurRoutes> o6 = null;
    Future<NftTable> nft = null;
    if (!reuse) {
      Set<Integer> ask4 = anyTable ? null : union(known, ruleTables4);
      Set<Integer> ask6 = anyTable ? null : union(known6, ruleTables6);
      o4 = READS.submit(() -> ourRoutes(Family.INET, ask4));
      o6 = READS.submit(() -> ourRoutes(Family.INET6, ask6));
    }
    if (!reuseNft) {
      nft = READS.submit(this::nftTable);
    }
    // Each family's batch as soon as its own defaults are in: IPv6's are a whole dump of its main
    // (an IPv6 feed's size), IPv4's the start of one.
    List<Route> defaults4 = join(main.get(new Slot(Family.INET, MainPart.DEFAULTS))).routes();
    Future<KernelReads.FamilyRead> b4 =
        READS.submit(() -> source.family(Family.INET, gatewayDevices(defaults4, Family.INET)));
    List<Route> defaults6 = join(main.get(new Slot(Family.INET6, MainPart.DEFAULTS))).routes();
    Future<KernelReads.FamilyRead> b6 =
        READS.submit(() -> source.family(Family.INET6, gatewayDevices(defaults6, Family.INET6)));
    List<Route> mainRoutes = new ArrayList<>();
    main.values().stream().filter(java.util.Objects::nonNull).forEach(f -> mainRoutes.addAll(join(f).routes()));
    KernelReads.FamilyRead v4 = join(b4);
    if (deriveConnected) {
      mainRoutes.addAll(ConnectedRoutes.ipv4(v4.links()));
    }
    KernelReads.FamilyRead v6 = join(b6);
    OurRoutes r4 = reuse ? kept.v4() : join(o4);
    OurRoutes r6 = reuse ? kept.v6() : join(o6);
    NftTable table = reuseNft ? kept.nft() : join(nft);
    // A table our rules (as read now) look up that was not asked: a rule added since the last read.
    if (!anyTable) {
      r4 = r4.plus(ourRoutes(Family.INET, missing(ruleTables(v4.rules(), Family.INET), r4.asked())));
      r6 = r6.plus(ourRoutes(Family.INET6, missing(ruleTables(v6.rules(), Family.INET6), r6.asked())));
    }
    ruleTables4 = ruleTables(v4.rules(), Family.INET);
    ruleTables6 = ruleTables(v6.rules(), Family.INET6);
    known = r4.seen();
    known6 = r6.seen();
    if (keepMain) {
      ours = new Ours(r4, r6, table, generation, nftGen);
    }

    List<Link> links = new ArrayList<>(v4.links());
    List<Rule> rules = new ArrayList<>(v4.rules());
    rules.addAll(v6.rules());
    List<Route> routes = new ArrayList<>(mainRoutes);
    routes.addAll(r4.routes());
    routes.addAll(r6.routes());
    List<Neighbor> neighbors = new ArrayList<>(v4.neighbors());
    neighbors.addAll(v6.neighbors());
    Map<String, Link> v6Links = new java.util.LinkedHashMap<>();
    v6.links().forEach(l -> v6Links.put(l.name(), l));
    for (int i = 0; i < links.size(); i++) {
      Link l = links.get(i);
      Link six = v6Links.remove(l.name());
      List<Address> v6addresses = six == null ? List.of() : six.addresses();
      if (!v6addresses.isEmpty()) {
        List<Address> all = new ArrayList<>(l.addresses());
        all.addAll(v6addresses);
        links.set(i, new Link(l.name(), l.ifindex(), l.adminUp(), l.carrier(), l.pointToPoint(), l.kind(), all));
      }
    }
    // A link with IPv6 addresses alone is missing from the IPv4 read (ip -4 lists only links
    // with IPv4 addresses): an IPv6-only uplink's link is known from here.
    links.addAll(v6Links.values());
    if (deriveConnected) {
      connectedDue.set(mainGeneration.get(CONNECTED4).get()); // its dump: after the apply (startDeferredConnected)
    }
    return new KernelState(links, routes, rules, neighbors, table);
  }

  /** Our routes of one family, the tables asked (null: all) and those ours were found in. */
  private record OurRoutes(List<Route> routes, Set<Integer> asked, Set<Integer> seen) {
    OurRoutes plus(OurRoutes more) {
      if (more.routes().isEmpty() && more.asked() != null && more.asked().isEmpty()) {
        return this;
      }
      List<Route> all = new ArrayList<>(routes);
      all.addAll(more.routes());
      return new OurRoutes(all, union(asked, more.asked()), union(seen, more.seen()));
    }
  }

  /** Our routes and nft table as last read, until {@link #oursChanged} (the table also {@link #nftChanged}). */
  private record Ours(OurRoutes v4, OurRoutes v6, NftTable nft, long generation, long nftGeneration) {
  }

  /** The devices of one family's defaults in the main table: whose neighbors (ARP, NDP) are read. */
  private static List<String> gatewayDevices(List<Route> mainRoutes, Family family) {
    Set<String> devices = new LinkedHashSet<>();
    for (Route r : mainRoutes) {
      if (r.isDefault() && r.family() == family && r.table() == MAIN_TABLE) {
        r.nexthops().stream().map(Nexthop::dev).filter(d -> d != null && BATCH_SAFE.matcher(d).matches())
            .forEach(devices::add);
      }
    }
    return List.copyOf(devices);
  }

  /** The tables our rules of {@code family} look up (never main). */
  private Set<Integer> ruleTables(List<Rule> rules, Family family) {
    Set<Integer> out = new TreeSet<>();
    for (Rule rule : rules) {
      if (rule.family() == family && rule.protocol() == rtProto && rule.table() > 0 && rule.table() != MAIN_TABLE) {
        out.add(rule.table());
      }
    }
    return out;
  }

  private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
    if (a == null || b == null) {
      return null; // every table
    }
    Set<Integer> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  private static Set<Integer> missing(Set<Integer> wanted, Set<Integer> asked) {
    if (asked == null) {
      return Set.of();
    }
    Set<Integer> out = new TreeSet<>(wanted);
    out.removeAll(asked);
    return out;
  }

  /**
   * Our routes of one family, one {@code ip} call per table at the same time (or one for every
   * table when {@code tables} is null). The tables ours were found in never include main (a feed
   * lives there).
   */
  private OurRoutes ourRoutes(Family family, Set<Integer> tables) {
    List<Route> routes = new ArrayList<>();
    Set<Integer> seen = new TreeSet<>();
    if (tables == null) {
      readRoutes(family, null, routes);
    } else if (tables.size() == 1) {
      readRoutes(family, tables.iterator().next(), routes);
    } else {
      List<Future<List<Route>>> each = new ArrayList<>();
      for (int t : tables) {
        each.add(READS.submit(() -> {
          List<Route> one = new ArrayList<>();
          readRoutes(family, t, one);
          return one;
        }));
      }
      each.forEach(f -> routes.addAll(join(f)));
    }
    routes.forEach(r -> seen.add(r.table()));
    seen.remove(MAIN_TABLE);
    return new OurRoutes(routes, tables == null ? null : Set.copyOf(tables), Set.copyOf(seen));
  }

  private void readRoutes(Family family, Integer table, List<Route> routes) {
    routes.addAll(source.ours(family, table, rtProto));
  }

  /**
   * Both families' main-table views, each part kept unless something said it changed since it was
   * read; in the order family by family, part by part; the defaults asked first.
   */
  private Map<Slot, Future<MainView>> mainReads(Slot deferred) {
    Map<Slot, Future<MainView>> reads = new java.util.LinkedHashMap<>();
    for (Family f : Family.values()) {
      for (MainPart p : MainPart.values()) {
        reads.put(new Slot(f, p), null);
      }
    }
    for (MainPart p : MainPart.values()) {
      for (Family f : Family.values()) {
        Slot slot = new Slot(f, p);
        if (slot.equals(deferred)) {
          continue; // left null: the caller starts it later
        }
        MainView kept = keptView(slot);
        PendingView pending = slot.equals(CONNECTED4) ? pendingConnected : null;
        if (kept != null) {
          reads.put(slot, java.util.concurrent.CompletableFuture.completedFuture(kept));
        } else if (pending != null && !pending.view().isDone()
            && pending.generation() == mainGeneration.get(slot).get()) {
          reads.put(slot, pending.view()); // started by the first read, nothing changed since
        } else {
          reads.put(slot, READS.submit(() -> mainView(slot)));
        }
      }
    }
    return reads;
  }

  private MainView keptView(Slot slot) {
    MainView kept = main.get(slot);
    return keepMain && kept != null && kept.generation() == mainGeneration.get(slot).get() ? kept : null;
  }

  /**
   * One family's defaults or connected ({@code proto kernel}) prefixes of the main table. The
   * defaults of IPv4 stop at the first other prefix of the kernel's dump (see
   * {@link KernelReads#mainDefaults}): their cost does not grow with main.
   */
  private MainView mainView(Slot slot) {
    Family family = slot.family();
    MainPart part = slot.part();
    long generation = mainGeneration.get(slot).get();
    long t0 = System.nanoTime();
    List<Route> routes = part == MainPart.DEFAULTS ? source.mainDefaults(family) : source.mainConnected(family);
    // which of main's reads a pass waited for, and how long (a feed's size shows here)
    Log.debug("main table read: %s %s, %d route(s) in %.1f ms", family, part, routes.size(),
        (System.nanoTime() - t0) / 1e6);
    MainView view = new MainView(List.copyOf(routes), generation);
    main.put(slot, view);
    return view;
  }

  /** A read's answer, or its own exception (a RuntimeException as it was thrown). */
  private static <T> T join(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the kernel", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * The devices the IPv4 default route in {@code table} spans now: with LB_TABLE, the uplinks new
   * connections are balanced over. One small {@code ip} call (the harness polls it every 20 ms);
   * null when ip fails (the namespace is gone, say).
   */
  public static Set<String> defaultRouteDevices(CommandRunner runner, int table) {
    return defaultRouteDevices(runner, table, Family.INET);
  }

  /** {@link #defaultRouteDevices(CommandRunner, int)} of one family. */
  public static Set<String> defaultRouteDevices(CommandRunner runner, int table, Family family) {
    CommandRunner.Result r = runner.run("ip", "-j", "-d", "-N", family.ipFlag(), "route", "show", "table",
        Integer.toString(table));
    return r.ok() ? defaultRouteDevices(r.stdout(), family) : null;
  }

  /** The devices of the default route(s) in {@code ip -j route show} output, sorted. */
  static Set<String> defaultRouteDevices(String ipJson) {
    return defaultRouteDevices(ipJson, Family.INET);
  }

  private static Set<String> defaultRouteDevices(String ipJson, Family family) {
    Set<String> devs = new TreeSet<>();
    if (ipJson == null || ipJson.isBlank()) {
      return devs;
    }
    IpJson.forEachElement(ipJson, (q, n) -> {
      Route r = IpJson.route(n, family, 0, 0);
      if (r != null && r.isDefault()) {
        r.nexthops().forEach(h -> devs.add(h.dev()));
      }
    });
    return devs;
  }

  /**
   * The connections of one family whose first SYN left by an uplink and got no answer yet (from
   * our nft set: one small call, whatever the connection table holds); null when the set cannot
   * be read. One call per family: nft 1.0.6 refuses two {@code list set} in one batch, and
   * {@code list sets} would print every set of every table with its elements.
   */
  public static List<PendingSyn> pendingSyns(CommandRunner runner, Family family) {
    CommandRunner.Result r = runner.run(List.of("nft", "-j", "list", "set", NFT_FAMILY, NFT_TABLE, synSet(family)),
        null, java.time.Duration.ofSeconds(2));
    return r.ok() ? PendingSyn.parse(r.stdout()) : null;
  }

  /**
   * The elements of {@code family}'s unanswered-SYN set over nfnetlink, as
   * {@link #pendingSyns(CommandRunner, Family)} gives them without an nft process; null when the
   * set is not there.
   *
   * @throws IOException the read failed
   */
  public static List<PendingSyn> pendingSyns(netbalancer.netlink.NftDumps nft, Family family) throws java.io.IOException {
    List<PendingSyn> out = new ArrayList<>();
    boolean found = nft.timedElements(netbalancer.netlink.NftDumps.NFPROTO_INET, NFT_TABLE, synSet(family),
        (key, expires) -> out.add(PendingSyn.ofKey(key, expires)));
    return found ? out : null;
  }

  /** The unanswered-SYN set of {@code family}. */
  public static String synSet(Family family) {
    return family == Family.INET6 ? SYN_SET6 : SYN_SET;
  }

  /** Our nft table's summary, read afresh (see {@link KernelReads#nftTable}). */
  public NftTable nftTable() {
    return source.nftTable();
  }

}
