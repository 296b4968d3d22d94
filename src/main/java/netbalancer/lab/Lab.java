package netbalancer.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import netbalancer.system.CommandRunner;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.ProcessRunner;

/**
 * A throwaway multi-uplink network in namespaces, for tests that cross a real kernel:
 *
 * <pre>
 *  client ──lan0── router ──wan1── isp1 ──┐
 *                         ──wan2── isp2 ──┼── inet (servers)
 *                         ──wanN── ispN ──┘
 * </pre>
 *
 * <p>Namespaces: {@code nblab-PID-XXXX-router}, {@code -client}, {@code -inet}, {@code -isp1}..
 * Nothing touches the host namespace except {@code ip netns add/del}; no lab namespace is linked
 * to it.
 *
 * <p>Address plan, uplink i = 1..N (N ≤ 64):
 * <ul>
 *   <li>router {@code wanI} 198.18.i.2/24, ISP i ({@code cpe0}) 198.18.i.1/24, the gateway;
 *       the router's main table gets {@code default via 198.18.i.1 dev wanI metric 100+i}, as
 *       DHCP would, unless {@link Builder#defaultRoutes(boolean) defaultRoutes(false)}.
 *   <li>{@link Builder#sharedGatewayPair()}: uplinks 1 and 2 are both in 198.18.100.0/24 with the
 *       same gateway 198.18.100.1 (two tethered phones); router sides 198.18.100.2 and .3.
 *   <li>{@link Builder#pointToPoint(int)}: {@code 198.18.i.2 peer 198.18.i.1/32}, no ARP, no
 *       gateway, {@code default dev wanI}.
 *   <li>ISP i ({@code inet0}) 198.19.i.1/24 to inet ({@code ispI}) 198.19.i.2/24. Each ISP
 *       forwards and masquerades out {@code inet0}, so a server sees 198.19.i.1 for uplink i
 *       ({@link #ispPublicAddress(int)}). ISPs know only their own uplink subnet, and filter
 *       sources strictly (rp_filter 1), as ISPs do: the router must NAT.
 *   <li>inet: all of 203.0.113.0/24 is local (AnyIP), so every address there is a server;
 *       203.0.113.10 ({@link #SERVER_ADDRESS}) is assigned and is the source of connections
 *       inet makes to the router's uplink addresses (via 198.18.i.0/24 → ISP i), for inbound
 *       tests. No default route: inet reaches nothing but the lab.
 *   <li>LAN: router {@code lan0} 192.0.2.1/24, client {@code eth0} 192.0.2.10/24, default via
 *       192.0.2.1.
 *   <li>Router: ip_forward 1, rp_filter 1 on all/default (configurable), as distributions ship.
 * </ul>
 *
 * <p>{@link Builder#dualStack()} adds IPv6 everywhere (plan in {@link LabPlan6}: uplink K on
 * 2001:db8:K::/64, ISPs that drop foreign IPv6 sources); {@link Builder#ipv4Only} and
 * {@link Builder#ipv6Only} make single-family uplinks in such a lab.
 *
 * <p>Faults are made on the ISP side. {@link #close()} kills what the lab started and deletes its
 * namespaces; a shutdown hook does the same, and every new lab first sweeps the namespaces of
 * labs whose JVM is gone.
 *
 * <p>This class is the lab's face; the work is split: the address plan in {@link LabPlan}, the
 * commands (one injected runner, own namespaces only) in {@link LabShell}, the faults in
 * {@link LabFaults}, the programs it starts in {@link LabLauncher}, and net-balancer itself in
 * {@link LabBalancer}.
 */
public final class Lab implements AutoCloseable {

  public static final String PREFIX = LabNames.PREFIX;
  public static final String LAN_INTERFACE = "lan0";
  public static final String CLIENT_ADDRESS = "192.0.2.10";
  public static final String ROUTER_LAN_ADDRESS = "192.0.2.1";
  public static final String SERVER_ADDRESS = "203.0.113.10";
  public static final String INTERNET_PREFIX = "203.0.113.0/24";
  public static final int SERVER_PORT = 8080;
  public static final int MAX_UPLINKS = 64;
  /** ISP-side interface names, the same in every ISP namespace. */
  public static final String ISP_CUSTOMER_IF = "cpe0";
  public static final String ISP_UPSTREAM_IF = "inet0";

  private static final Pattern STATE_DIR = Pattern.compile("nblab-\\d+-[0-9a-f]{4}-state");
  private static final CommandRunner RUNNER = new ProcessRunner();
  private static final LabCleanup CLEANUP = new LabCleanup(RUNNER);
  private static final Set<Lab> OPEN = ConcurrentHashMap.newKeySet();
  private static final SecureRandom RANDOM = new SecureRandom();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(lab -> {
      try {
        lab.close();
      } catch (RuntimeException e) {
        System.err.println("nblab: cleanup of " + lab + " failed: " + e.getMessage());
      }
    }), "nblab-cleanup"));
  }

  private final String prefix;
  private final int uplinkCount;
  private final LabPlan plan;
  private final LabShell shell;
  private final LabFaults faults;
  private final LabLauncher launcher;
  /** The IPv6 half of a {@link Builder#dualStack() dual-stack} lab; null in an IPv4-only one. */
  private final LabPlan6 plan6;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Lab(Builder b) {
    this.uplinkCount = b.names.size();
    Set<String> existing = sweepStale();
    sweepStateDirs();
    long pid = ProcessHandle.current().pid();
    String p;
    do {
      p = PREFIX + pid + "-" + String.format("%04x", RANDOM.nextInt(0x10000)) + "-";
    } while (startsWithAny(existing, p));
    this.prefix = p;
    this.plan = new LabPlan(b.names, b.sharedPair, b.pointToPoint, b.defaultRoutes, this::ispNs,
        clientNs(), b.ipv6Only);
    this.plan6 = b.dualStack ? new LabPlan6(b.names, b.ipv4Only, b.defaultRoutes) : null;
    this.shell = new LabShell(RUNNER, prefix, namespaces());
    this.faults = new LabFaults(shell, plan, this::ispNs, routerNs());
    this.launcher = new LabLauncher(shell, plan6 != null);
    OPEN.add(this);
    try {
      build(b);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A lab with {@code uplinks} plain uplinks wan1..wanN, each with its main-table default. */
  public static Lab create(int uplinks) {
    return builder().uplinks(uplinks).build();
  }

  // ---------------------------------------------------------------- addressing

  private LabPlan.Uplink uplink(int i) {
    return plan.uplink(i);
  }

  public int uplinkCount() {
    return uplinkCount;
  }

  /** Interface name of uplink i in the router namespace. */
  public String uplinkName(int i) {
    return uplink(i).name();
  }

  /** The router's own address on uplink i. */
  public String uplinkAddress(int i) {
    return uplink(i).address();
  }

  /** 24, or 32 for a point-to-point uplink (whose peer is {@link #ispSideAddress(int)}). */
  public int uplinkPrefixLength(int i) {
    return uplink(i).prefixLength();
  }

  /** The next hop for uplink i's default route; null for a point-to-point uplink. */
  public String gatewayAddress(int i) {
    return uplink(i).gateway();
  }

  /** The ISP's own address on the link to the router (the gateway, or the p2p peer). */
  public String ispSideAddress(int i) {
    return uplink(i).ispAddress();
  }

  public boolean isPointToPoint(int i) {
    return uplink(i).pointToPoint();
  }

  /** The source address a server in inet sees for connections that took uplink i. */
  public String ispPublicAddress(int i) {
    return uplink(i).publicAddress();
  }

  /** The 1-based uplink whose ISP shows {@code publicAddress} to servers, or 0. */
  public int uplinkOfPublicAddress(String publicAddress) {
    for (int i = 1; i <= uplinkCount(); i++) {
      if (uplink(i).publicAddress().equals(publicAddress)) {
        return i;
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- IPv6 addressing

  public static final String LAN_PREFIX6 = LabPlan6.LAN_PREFIX;
  public static final String CLIENT_ADDRESS6 = LabPlan6.CLIENT_ADDRESS;
  public static final String ROUTER_LAN_ADDRESS6 = LabPlan6.ROUTER_LAN_ADDRESS;
  /** Assigned in inet, inside {@link #SERVER_PREFIX6}, all of which is local there. */
  public static final String SERVER_ADDRESS6 = LabPlan6.SERVER_ADDRESS;
  public static final String SERVER_PREFIX6 = LabPlan6.SERVER_PREFIX;

  /** Whether the router has an IPv4 address on uplink i (not in an {@link Builder#ipv6Only}). */
  public boolean hasIpv4(int i) {
    uplink(i);
    return plan.hasIpv4(i);
  }

  /** Whether uplink i has an IPv6 side (a dual-stack lab, not {@link Builder#ipv4Only}). */
  public boolean hasIpv6(int i) {
    uplink(i);
    return plan6 != null && plan6.uplink(i) != null;
  }

  private LabPlan6.Uplink6 uplink6(int i) {
    if (!hasIpv6(i)) {
      throw new IllegalStateException("uplink " + i + " has no IPv6 in " + this);
    }
    return plan6.uplink(i);
  }

  /** The router's global IPv6 address on uplink i (2001:db8:i::2), in its /64. */
  public String uplinkAddress6(int i) {
    return uplink6(i).address();
  }

  /** The next hop of uplink i's IPv6 default: fe80::1 on odd i, 2001:db8:i::1 on even i. */
  public String gatewayAddress6(int i) {
    return uplink6(i).gateway();
  }

  /** The /48 ISP i routes to the router and accepts sources from (2001:db8:i::/48). */
  public String ispPrefix6(int i) {
    return uplink6(i).ispPrefix();
  }

  /** The 1-based uplink whose ISP prefix holds IPv6 {@code address} (as a server sees it), or 0. */
  public int uplinkOfAddress6(String address) {
    byte[] a = ipv6Bytes(address);
    for (int i = 1; i <= uplinkCount(); i++) {
      if (hasIpv6(i) && java.util.Arrays.equals(a, 0, 6, ipv6Bytes(uplinkAddress6(i)), 0, 6)) {
        return i;
      }
    }
    return 0;
  }

  private static byte[] ipv6Bytes(String literal) {
    if (literal == null || !literal.contains(":") || !literal.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("not an IPv6 address: " + literal);
    }
    try { // a literal with a colon is parsed, never looked up
      return java.net.InetAddress.getByName(literal).getAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IPv6 address: " + literal, e);
    }
  }

  /** Packets ISP i dropped because their IPv6 source was outside its prefix (BCP 38). */
  public long leakedIpv6(int i) {
    uplink6(i);
    String out = execCheck(ispNs(i), "nft", "list counter ip6 nblab6 leaked").stdout();
    var m = Pattern.compile("packets (\\d+)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no packet count in: " + out);
    }
    return Long.parseLong(m.group(1));
  }

  /** ISP i drops every IPv6 packet it would forward, both ways; its IPv4 and NDP still work. */
  public void blackholeIpv6(int i, boolean on) {
    uplink6(i);
    nft(ispNs(i), "flush chain ip6 nblab6 blackhole\n" + (on ? "add rule ip6 nblab6 blackhole drop\n" : ""));
  }

  /**
   * Starts radvd in ISP i: router advertisements for uplink i's /64 every 3-4 s (a SLAAC uplink;
   * the router takes them with accept_ra=1 while it does not forward). Stopped with the lab.
   */
  public LabProcess routerAdvertisements(int i) {
    uplink6(i);
    Path dir = stateDir().resolveSibling(prefix + "radvd");
    Path conf = dir.resolve("isp" + i + ".conf");
    try {
      Files.createDirectories(dir);
      Files.writeString(conf, LabPlan6.radvdConfig(uplink6(i)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // -n: in the foreground, so the lab owns it; its own pid file, not the host's /run/radvd.pid
    return start(ispNs(i), "radvd", "-n", "-m", "stderr", "-C", conf.toString(),
        "-p", dir.resolve("isp" + i + ".pid").toString());
  }

  // ---------------------------------------------------------------- namespaces

  /** {@code nblab-PID-XXXX-}: every namespace of this lab starts with it. */
  public String prefix() {
    return prefix;
  }

  public String routerNs() {
    return prefix + "router";
  }

  public String clientNs() {
    return prefix + "client";
  }

  public String inetNs() {
    return prefix + "inet";
  }

  public String ispNs(int i) {
    if (i < 1 || i > uplinkCount) {
      throw new IllegalArgumentException("no uplink " + i + " (1.." + uplinkCount + ")");
    }
    return prefix + "isp" + i;
  }

  public List<String> namespaces() {
    List<String> all = new ArrayList<>(List.of(routerNs(), clientNs(), inetNs()));
    for (int i = 1; i <= uplinkCount(); i++) {
      all.add(ispNs(i));
    }
    return all;
  }

  // ---------------------------------------------------------------- building

  private void build(Builder options) {
    long self = ProcessHandle.current().pid();
    String marker = LabNames.marker(self, LabNames.startTicks(self).orElse(0));
    // Each namespace's sysctls in one process, before any link exists (a process in a namespace
    // costs 30-100 ms; a lab used to start 4-6 of them one after another for these alone).
    inParallel(namespaces(), ns -> {
      shell.addNamespace(ns);
      ip(ns, "link", "set", "dev", "lo", "up", "alias", marker);
      sysctl(ns, sysctls(ns, options).toArray(String[]::new));
    });
    batch(routerNs(), plan.routerLinks());
    batch(inetNs(), plan6 == null ? plan.inet() : concat(plan.inet(), plan6.inet()));
    List<Integer> isps = new ArrayList<>();
    for (int i = 1; i <= uplinkCount(); i++) {
      isps.add(i);
    }
    inParallel(isps, i -> {
      boolean v6 = plan6 != null && plan6.uplink(i) != null;
      batch(ispNs(i), v6 ? concat(plan.isp(i), plan6.isp(i)) : plan.isp(i));
      nft(ispNs(i), v6 ? LabPlan.ispRuleset() + plan6.ispRuleset(i) : LabPlan.ispRuleset());
    });
    batch(clientNs(), plan6 == null ? LabPlan.client() : concat(LabPlan.client(), LabPlan6.client()));
    batch(routerNs(), plan6 == null ? plan.routerAddresses()
        : concat(plan.routerAddresses(), plan6.routerAddresses()));
    if (options.masquerade) {
      nft(routerNs(), plan6 == null ? LabPlan.routerMasquerade()
          : LabPlan.routerMasquerade() + LabPlan6.routerMasquerade());
    }
  }

  /**
   * The sysctls of one namespace. Every one: no duplicate address detection (link-local addresses
   * appear at once, so kernel state dumps taken a second apart compare equal), and global IPv6
   * addresses survive a link set down (carrierDown on the ISP side): the kernel would otherwise
   * drop them for good. Set before the links exist, so "default" reaches every link too; "all"
   * (forwarding, rp_filter's maximum) does either way.
   */
  private List<String> sysctls(String ns, Builder options) {
    List<String> s = new ArrayList<>(List.of("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
        "net.ipv6.conf.all.keep_addr_on_down=1"));
    if (ns.equals(routerNs())) {
      s.addAll(List.of("net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=" + options.rpFilter,
          "net.ipv4.conf.default.rp_filter=" + options.rpFilter));
      if (plan6 != null) {
        s.add("net.ipv6.conf.all.forwarding=1");
      }
    } else if (ns.equals(clientNs()) || ns.equals(inetNs())) {
      s.addAll(List.of("net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"));
    } else {
      s.addAll(List.of("net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.default.rp_filter=1"));
      int i = ispIndex(ns);
      if (plan6 != null && plan6.uplink(i) != null) {
        s.add("net.ipv6.conf.all.forwarding=1");
      }
    }
    return s;
  }

  private int ispIndex(String ns) {
    for (int i = 1; i <= uplinkCount(); i++) {
      if (ispNs(i).equals(ns)) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a namespace of " + this + ": " + ns);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  // ---------------------------------------------------------------- faults (LabFaults)

  /** Takes the ISP end of uplink i down: the router's {@code wanI} loses carrier (NO-CARRIER). */
  public void carrierDown(int i) {
    faults.carrierDown(i);
  }

  public void carrierUp(int i) {
    faults.carrierUp(i);
  }

  /**
   * ISP i silently drops everything it would forward, both ways, while the link, ARP and the
   * gateway's own address still answer: upstream is dead, the gateway looks fine.
   */
  public void blackhole(int i, boolean on) {
    faults.blackhole(i, on);
  }

  /** ISP i drops {@code percent} of forwarded packets at random (each direction); 0 heals. */
  public void loss(int i, int percent) {
    faults.loss(i, percent);
  }

  /** ISP i drops traffic to and from one address behind it (say, one health-probe target). */
  public void blockTarget(int i, String address, boolean on) {
    faults.blockTarget(i, address, on);
  }

  /** ISP i stops answering ARP for its gateway address, and the router forgets the neighbor. */
  public void gatewayNeighborLost(int i, boolean lost) {
    faults.gatewayNeighborLost(i, lost);
  }

  /** Heals every fault on every uplink: carrier up, no drops, no blocked targets, ARP on. */
  public void clearFaults() {
    faults.clearFaults();
    for (int i = 1; i <= uplinkCount(); i++) {
      if (hasIpv6(i)) {
        blackholeIpv6(i, false);
      }
    }
  }

  // ---------------------------------------------------------------- commands (LabShell)

  /** Runs {@code argv} inside one of this lab's namespaces. */
  public Result exec(String ns, String... argv) {
    return exec(ns, List.of(argv), null, CommandRunner.DEFAULT_TIMEOUT);
  }

  public Result exec(String ns, List<String> argv, String stdin, Duration timeout) {
    return shell.exec(ns, argv, stdin, timeout);
  }

  /** Like {@link #exec(String, String...)}, but throws {@code CommandException} unless it exits 0. */
  public Result execCheck(String ns, String... argv) {
    return shell.execCheck(ns, List.of(argv));
  }

  /** The flags {@code ip -j link} shows for {@code dev} in {@code ns}, e.g. UP, LOWER_UP, NO-CARRIER. */
  public List<String> linkFlags(String ns, String dev) {
    List<String> flags = new ArrayList<>();
    for (JsonNode f : ipJson(ns, "link", "show", "dev", dev).path(0).path("flags")) {
      flags.add(f.asText());
    }
    return flags;
  }

  /** {@code ip -j ARGS} in {@code ns}, parsed. */
  public JsonNode ipJson(String ns, String... args) {
    return shell.ipJson(ns, List.of(args));
  }

  /** A runner confined to {@code ns}, for code that takes one (the harness, the balancer's own observer). */
  public CommandRunner runnerIn(String ns) {
    return shell.runnerIn(ns);
  }

  private void ip(String ns, String... args) {
    shell.ip(ns, args);
  }

  private void batch(String ns, List<String> lines) {
    shell.batch(ns, lines);
  }

  private void nft(String ns, String script) {
    shell.nft(ns, script);
  }

  private void sysctl(String ns, String... settings) {
    shell.sysctl(ns, settings);
  }

  private static <T> void inParallel(List<T> items, java.util.function.Consumer<T> task) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, Math.max(1, items.size())));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> task.accept(item)));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the lab", e);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- processes (LabLauncher)

  /** Starts {@code argv} in {@code ns}; it is killed when the lab closes, if not before. */
  public LabProcess start(String ns, String... argv) {
    return launcher.start(ns, List.of(argv));
  }

  /** Starts {@code java -cp JAR mainClass args} in {@code ns}, with a small, quick-starting JVM. */
  public LabProcess startJava(String ns, String mainClass, String... args) {
    return launcher.startJava(ns, mainClass, args);
  }

  /** Starts a {@link WhoAmIServer} in inet on {@code ports} (none: {@link #SERVER_PORT}). */
  public LabProcess startServers(int... ports) {
    return startServer(inetNs(), ports);
  }

  /** Starts a {@link WhoAmIServer} in any lab namespace and returns once it listens. */
  public LabProcess startServer(String ns, int... ports) {
    return launcher.startServer(ns, ports);
  }

  /**
   * Runs {@code LoadClient count HOST PORT N OPTIONS…} in {@code ns} (options such as
   * {@code "--bind", addr}, {@code "--timeout-ms", "500"}) and returns its report.
   */
  public LoadReport loadCount(String ns, String host, int port, int n, String... options) {
    return launcher.loadCount(ns, host, port, n, options);
  }

  /** Opens N connections from {@code ns} with {@code LoadClient hold} and keeps them. */
  public HeldConnections hold(String ns, String host, int port, int n, String... options) {
    return launcher.hold(ns, host, port, n, options);
  }

  /**
   * Settings every net-balancer run in a lab's router needs: state and control socket in
   * {@code stateDir} (never the host's /run), probes aimed at the lab's server.
   */
  public static Map<String, String> balancerSettings(Path stateDir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("STATE_DIR", stateDir.toString());
    env.put("CONTROL_SOCKET", stateDir.resolve("control.sock").toString());
    env.put("HEALTH_PROBE_TARGET", SERVER_ADDRESS);
    env.put("HEALTH_PROBE_PORT", Integer.toString(SERVER_PORT));
    return env;
  }

  /** The shaded jar: system property {@code netbalancer.jar}, else {@code target/net-balancer.jar}. */
  public static Path jarPath() {
    Path jar = Path.of(System.getProperty("netbalancer.jar", "target/net-balancer.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: run mvn package, or set -Dnetbalancer.jar");
    }
    return jar;
  }

  // ---------------------------------------------------------------- cleanup

  /** Kills what the lab started, then deletes its namespaces. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException first = null;
    try {
      launcher.closeAll();
      shell.close();
      for (String ns : namespaces()) {
        try {
          CLEANUP.remove(ns);
        } catch (RuntimeException e) { // remove the others all the same
          first = first == null ? e : first;
        }
      }
    } finally {
      OPEN.remove(this);
      deleteStateDir(prefix);
      deleteRadvdDir();
    }
    if (first != null) {
      throw first;
    }
  }

  private void deleteRadvdDir() {
    Path dir = stateDir().resolveSibling(prefix + "radvd");
    try (Stream<Path> files = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // best effort: a few bytes in /tmp
    }
  }

  /**
   * Removes every {@code nblab-} namespace whose creating process has exited, with whatever
   * still runs in it. Returns the lab namespaces that remain.
   */
  public static Set<String> sweepStale() {
    return CLEANUP.sweepStale(false);
  }

  /** {@link #sweepStale}, and labs left up by {@link #detach} as well. */
  public static Set<String> sweepStaleAndKept() {
    return CLEANUP.sweepStale(true);
  }

  /**
   * Leaves this lab up after its creator exits: no sweep by another lab or test run removes it,
   * only {@link #sweepStaleAndKept} ({@code net-balancer lab --remove}). Its close does nothing.
   */
  public void detach() {
    for (String ns : namespaces()) {
      ip(ns, "link", "set", "dev", "lo", "alias", LabNames.KEPT);
    }
    closed.set(true);
    shell.close();
  }

  /**
   * Where a balancer run in this lab keeps its state (/tmp/PREFIXstate); {@link #close} removes it,
   * and a crashed run's is swept by the next lab, as its namespaces are.
   */
  public Path stateDir() {
    return stateDirOf(prefix);
  }

  private static Path stateDirOf(String prefix) {
    return Path.of("/tmp", prefix + "state");
  }

  /** State directories ({@link #stateDir}) of labs that are gone: closed, swept, or crashed. */
  public static void sweepStateDirs() {
    List<String> live = listNamespaces();
    try (Stream<Path> dirs = Files.list(Path.of("/tmp"))) {
      dirs.map(d -> d.getFileName().toString()).filter(n -> STATE_DIR.matcher(n).matches())
          .map(n -> n.substring(0, n.length() - "state".length()))
          .filter(prefix -> live.stream().noneMatch(ns -> ns.startsWith(prefix)))
          .forEach(Lab::deleteStateDir);
    } catch (IOException e) {
      // best effort
    }
  }

  /** Deletes /tmp/PREFIXstate and what is in it, if it is there. */
  private static void deleteStateDir(String prefix) {
    Path dir = stateDirOf(prefix);
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: /tmp is cleaned at boot in any case
    }
  }

  /** Names of all network namespaces on the host. */
  public static List<String> listNamespaces() {
    return CLEANUP.listNamespaces();
  }

  private static boolean startsWithAny(Set<String> names, String prefix) {
    return names.stream().anyMatch(n -> n.startsWith(prefix));
  }

  @Override
  public String toString() {
    return "Lab[" + prefix + ", " + uplinkCount() + " uplinks]";
  }

  // ---------------------------------------------------------------- options

  /** Options of a {@link Lab}; {@link #build()} creates it. Defaults: 3 plain uplinks wan1..3. */
  public static final class Builder {
    private List<String> names = defaultNames(3);
    private boolean defaultRoutes = true;
    private boolean sharedPair;
    private final Set<Integer> pointToPoint = new TreeSet<>();
    private boolean masquerade;
    private int rpFilter = 1;
    private boolean dualStack;
    private final Set<Integer> ipv4Only = new TreeSet<>();
    private final Set<Integer> ipv6Only = new TreeSet<>();

    private Builder() {}

    /** Every uplink, the LAN and inet get IPv6 too ({@link LabPlan6} has the address plan). */
    public Builder dualStack() {
      dualStack = true;
      return this;
    }

    /** In a dual-stack lab, uplink i stays IPv4-only. */
    public Builder ipv4Only(int i) {
      dualStack = true;
      ipv4Only.add(i);
      return this;
    }

    /** In a dual-stack lab, uplink i is IPv6-only: no IPv4 address, route or ISP side. */
    public Builder ipv6Only(int i) {
      dualStack = true;
      ipv6Only.add(i);
      return this;
    }

    private static List<String> defaultNames(int n) {
      List<String> list = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        list.add("wan" + i);
      }
      return list;
    }

    /** N uplinks named wan1..wanN (default 3). */
    public Builder uplinks(int n) {
      if (n < 1 || n > MAX_UPLINKS) {
        throw new IllegalArgumentException("uplinks must be 1.." + MAX_UPLINKS + ", not " + n);
      }
      names = defaultNames(n);
      return this;
    }

    /** One uplink per name, in order; names such as {@code wan-2.x} are allowed. */
    public Builder uplinkNames(List<String> uplinkNames) {
      if (uplinkNames.isEmpty() || uplinkNames.size() > MAX_UPLINKS) {
        throw new IllegalArgumentException("uplinks must be 1.." + MAX_UPLINKS);
      }
      uplinkNames.forEach(LabNames::checkInterfaceName);
      if (new HashSet<>(uplinkNames).size() != uplinkNames.size()) {
        throw new IllegalArgumentException("uplink names repeat: " + uplinkNames);
      }
      names = List.copyOf(uplinkNames);
      return this;
    }

    public Builder uplinkNames(String... uplinkNames) {
      return uplinkNames(List.of(uplinkNames));
    }

    /** Whether the router's main table gets one default route per uplink (default true). */
    public Builder defaultRoutes(boolean add) {
      defaultRoutes = add;
      return this;
    }

    /** Uplinks 1 and 2 share subnet 198.18.100.0/24 and gateway 198.18.100.1. */
    public Builder sharedGatewayPair() {
      sharedPair = true;
      return this;
    }

    /** Uplink i is point-to-point: no ARP, no gateway. */
    public Builder pointToPoint(int i) {
      pointToPoint.add(i);
      return this;
    }

    /** The router masquerades the LAN out of every uplink, for tests without a balancer. */
    public Builder routerMasquerade() {
      masquerade = true;
      return this;
    }

    /** rp_filter for the router's all/default (default 1, strict, as distributions ship). */
    public Builder routerRpFilter(int value) {
      if (value < 0 || value > 2) {
        throw new IllegalArgumentException("rp_filter is 0, 1 or 2, not " + value);
      }
      rpFilter = value;
      return this;
    }

    public Lab build() {
      if (sharedPair && names.size() < 2) {
        throw new IllegalArgumentException("sharedGatewayPair needs at least 2 uplinks");
      }
      for (int i : pointToPoint) {
        if (i < 1 || i > names.size() || (sharedPair && i <= 2)) {
          throw new IllegalArgumentException("pointToPoint(" + i + "): no such plain uplink");
        }
      }
      if (dualStack && (sharedPair || !pointToPoint.isEmpty())) {
        throw new IllegalArgumentException("a dual-stack lab has plain uplinks only (no shared pair, no p2p)");
      }
      for (int i : concat(List.copyOf(ipv4Only), List.copyOf(ipv6Only))) {
        if (i < 1 || i > names.size()) {
          throw new IllegalArgumentException("ipv4Only/ipv6Only(" + i + "): no uplink " + i);
        }
      }
      if (ipv4Only.stream().anyMatch(ipv6Only::contains)) {
        throw new IllegalArgumentException("an uplink is both ipv4Only and ipv6Only: " + ipv4Only + ", " + ipv6Only);
      }
      return new Lab(this);
    }
  }
}
