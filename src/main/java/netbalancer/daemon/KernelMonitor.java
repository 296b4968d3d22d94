package netbalancer.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.log.Log;
import netbalancer.observe.Family;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.MainPart;

/**
 * Runs a kernel event stream ({@code ip monitor …}, {@code nft monitor …}) and turns the lines
 * that can change the plan into a signal. The text is never parsed for state (iproute2 6.1 prints
 * monitor output as text even with -j); the reconciler re-reads the kernel instead. Restarted a
 * second after it dies.
 *
 * <p>Route events are sorted before they wake anyone: a router that carries a routing feed sees
 * many route changes a second, none of which the balancer cares about. What counts: a default
 * route of the main table and a connected ({@code proto kernel}) route of the main table (each
 * also tells the observer that that part of its kept view of the main table is stale, for the
 * line's family), a route in one of our tables, and the deletion of one of ours. Our own
 * additions are echoes and are skipped. Lines of {@code ip monitor label} carry their kind
 * ({@code [ROUTE]}); continuation lines (a multipath route's {@code nexthop …}) belong to the line
 * before. When the kernel dropped events because ip read too slowly (a feed's burst filled the
 * socket), ip says so ({@code netlink receive error … (105)}, ENOBUFS) and goes on: everything kept
 * is stale then, as after a restart.
 */
final class KernelMonitor implements AutoCloseable {
  private static final Pattern LABEL = Pattern.compile("^\\[([A-Z]+)\\]");
  private static final Pattern TABLE = Pattern.compile(" table (\\d+)\\b");
  private static final Pattern PROTO = Pattern.compile(" proto (\\d+)\\b");
  /** A link or address line's device: "3: wan1: <…>", "3: wan1@eth0: <…>", "3: wan1    inet …". */
  private static final Pattern DEVICE = Pattern.compile("^(?:Deleted )?(\\d+): ([^:@\\s]+)");
  private static final int KERNEL_PROTO = 2;
  static final Set<Family> BOTH = Collections.unmodifiableSet(EnumSet.allOf(Family.class));
  static final Set<MainPart> ALL_PARTS = Collections.unmodifiableSet(EnumSet.allOf(MainPart.class));

  /** What a line is worth. */
  enum Kind {
    /** Cannot change the plan. */
    IGNORED,
    /** Wakes the reconciler. */
    SIGNAL,
    /** Wakes the reconciler and makes the main table's defaults stale. */
    MAIN_DEFAULTS,
    /** Wakes the reconciler and makes the main table's connected routes stale. */
    MAIN_CONNECTED,
    /**
     * Wakes the reconciler and makes what it keeps of ours (our routes, our nft table) stale: a
     * route event in a table of ours, a deletion of ours, an address event, a link gone down or
     * away (the kernel then deletes IPv4 routes through it without an event for each).
     */
    OURS,
    /** Events were lost: wakes the reconciler and makes everything kept stale. */
    LOST
  }

  private final List<String> argv;
  private final Runnable signal;
  private final int rtProto;
  private final IntPredicate ourTable;
  private final Predicate<NeighborEvent> neighborOfInterest;
  private final Devices devices;
  private final BiConsumer<Set<Family>, Set<MainPart>> mainChanged;
  private final Runnable oursChanged;
  /** After each burst of lines read, how long to let the next ones gather (0: read at once). */
  private final long gatherMillis;
  private final Thread thread;
  private volatile Process process;
  private volatile boolean closed;

  /** Whether a device's link and address events may change the plan. */
  @FunctionalInterface
  interface Devices {
    /** Every device's: the monitors that see no link or address lines. */
    Devices ALL = (index, name) -> true;

    boolean matter(int index, String name);
  }

  private KernelMonitor(List<String> argv, int rtProto, IntPredicate ourTable, Predicate<NeighborEvent> neighborOfInterest,
      Devices devices, BiConsumer<Set<Family>, Set<MainPart>> mainChanged, Runnable oursChanged, Runnable signal,
      long gatherMillis) {
    this.argv = List.copyOf(argv);
    this.devices = devices;
    this.gatherMillis = gatherMillis;
    this.oursChanged = oursChanged;
    this.signal = signal;
    this.rtProto = rtProto;
    this.ourTable = ourTable;
    this.neighborOfInterest = neighborOfInterest;
    this.mainChanged = mainChanged;
    this.thread = new Thread(this::loop, argv.get(0) + (argv.contains("route") ? "-route" : "") + "-monitor");
    this.thread.setDaemon(true);
  }

  /**
   * Links, addresses, rules and neighbors, where there is no {@link NetlinkDeviceMonitor}.
   * Neighbor events count only where {@code gateway} says they matter: every LAN host's ARP entry,
   * and a healthy gateway's, changes state all day; link and address events only where
   * {@code devices} says so.
   *
   * @param rtProto     the protocol of our routes
   * @param ourTable    whether a table number is one of ours
   * @param mainChanged told which parts of which families' main table may have changed (all when
   *                    the monitor (re)starts or lost events: it saw nothing meanwhile)
   * @param oursChanged told when our routes may have changed (see {@link Kind#OURS}; also at a
   *                    (re)start and after lost events)
   */
  static KernelMonitor ip(int rtProto, IntPredicate ourTable, Predicate<NeighborEvent> gateway, Devices devices,
      BiConsumer<Set<Family>, Set<MainPart>> mainChanged, Runnable oursChanged, Runnable signal) {
    return new KernelMonitor(List.of("ip", "-N", "monitor", "link", "address", "rule", "neigh", "label"), rtProto,
        ourTable, gateway, devices, mainChanged, oursChanged, signal, 0);
  }

  /**
   * Route events, in a monitor of their own: a routing feed's changes (50 a second, or thousands
   * in a burst) are all among them. Each line read costs this thread a wake-up (~0.1 ms of CPU on
   * a small VM, measured: 0.7 % of a core at 50 a second), so after each burst of lines the next
   * ones are left to gather for {@code gatherMillis}: a route event that matters (a default of
   * main, a table of ours) acts at most that much later; a carrier loss, a link event, comes by
   * the other monitor and acts at once.
   */
  static KernelMonitor routes(int rtProto, IntPredicate ourTable, BiConsumer<Set<Family>, Set<MainPart>> mainChanged,
      Runnable oursChanged, Runnable signal, long gatherMillis) {
    return new KernelMonitor(List.of("ip", "-N", "monitor", "route", "label"), rtProto, ourTable, key -> false,
        Devices.ALL, mainChanged, oursChanged, signal, gatherMillis);
  }

  /**
   * Tables added or deleted: notices our nft table deleted by someone else at once (every line
   * makes the kept nft table stale).
   */
  static KernelMonitor nftTables(Runnable oursChanged, Runnable signal) {
    return new KernelMonitor(List.of("nft", "monitor", "tables"), -1, t -> false, key -> true, Devices.ALL,
        (families, parts) -> { }, oursChanged, signal, 0);
  }

  /** Whether a line of monitor output should wake the reconciler (ignoring continuations). */
  boolean interesting(String line) {
    return classify(line) != Kind.IGNORED;
  }

  /** What one line (without continuation context) is worth. */
  Kind classify(String line) {
    Matcher label = LABEL.matcher(line);
    String kind = label.find() ? label.group(1) : "";
    String text = kind.isEmpty() ? line : line.substring(label.end());
    Optional<NeighborEvent> n = kind.isEmpty() || kind.equals("NEIGH") ? NeighborEvent.parse(text) : Optional.empty();
    if (n.isPresent()) {
      return neighborOfInterest.test(n.get()) ? Kind.SIGNAL : Kind.IGNORED;
    }
    if (kind.equals("ROUTE")) {
      return route(text);
    }
    if (kind.isEmpty() && line.startsWith("netlink receive error")) {
      return Kind.LOST;
    }
    // Links, addresses, rules: our own rules' additions are echoes.
    if (rtProto > 0 && text.contains(" proto " + rtProto) && !text.startsWith("Deleted")) {
      return Kind.IGNORED;
    }
    // Another device's: a container host's veths come and go all day, and each pass reads every
    // link (10 pairs a second cost 12 % of a core, 76 % beside 1 000 other devices). An uplink
    // comes with a default route (a route event), and a new network with its connected route.
    if (kind.equals("LINK") || kind.equals("ADDR")) {
      Matcher d = DEVICE.matcher(text);
      if (d.find() && !devices.matter(Integer.parseInt(d.group(1)), d.group(2))) {
        return Kind.IGNORED;
      }
    }
    if (kind.equals("RULE")) {
      // Ours deleted (our additions are echoes, above). Another program's rules never change the
      // plan: 5 000 of them and a VPN's or a policy router's change every 200 ms cost 11 % of a
      // core in passes that each read every rule.
      Matcher p = PROTO.matcher(text);
      return p.find() && Integer.parseInt(p.group(1)) == rtProto ? Kind.SIGNAL : Kind.IGNORED;
    }
    if (kind.equals("LINK") && stillUp(text)) {
      return Kind.SIGNAL; // a carrier change leaves our routes as they are
    }
    return Kind.OURS;
  }

  /**
   * Whether a link line says the device is there and administratively up ({@code UP} among its
   * flags): carrier lost or back, a new MTU. A device going down loses its IPv4 routes, ours
   * too, without a route event for each.
   */
  static boolean stillUp(String text) {
    int open = text.indexOf('<');
    int close = text.indexOf('>', open + 1);
    if (text.startsWith("Deleted") || open < 0 || close < 0) {
      return false;
    }
    return List.of(text.substring(open + 1, close).split(",")).contains("UP");
  }

  /**
   * The families a main-table route line can be of: its destination or gateway has a ':' (IPv6)
   * or a '.' (IPv4); ip prints "pref" for IPv6 routes only; a bare "default" without either is
   * both, to be safe.
   */
  static Set<Family> routeFamilies(String line) {
    Matcher label = LABEL.matcher(line);
    String body = label.find() ? line.substring(label.end()) : line;
    if (body.startsWith("Deleted ")) {
      body = body.substring("Deleted ".length());
    }
    String[] words = body.split("\\s+");
    String address = words[0].equals("default") && words.length > 2 && words[1].equals("via") ? words[2] : words[0];
    if (address.indexOf(':') >= 0 || body.contains(" pref ")) {
      return EnumSet.of(Family.INET6);
    }
    return address.indexOf('.') >= 0 ? EnumSet.of(Family.INET) : BOTH;
  }

  private Kind route(String text) {
    boolean deleted = text.startsWith("Deleted ");
    String body = deleted ? text.substring("Deleted ".length()) : text;
    Matcher t = TABLE.matcher(body);
    Matcher p = PROTO.matcher(body);
    int proto = p.find() ? Integer.parseInt(p.group(1)) : -1;
    int table = t.find() ? Integer.parseInt(t.group(1)) : KernelObserver.MAIN_TABLE; // ip leaves the main table out
    return routeKind(rtProto, ourTable, deleted, proto, table, body.startsWith("default "),
        body.regionMatches(true, 0, "fe8", 0, 3) || body.regionMatches(true, 0, "fe9", 0, 3)
            || body.regionMatches(true, 0, "fea", 0, 3) || body.regionMatches(true, 0, "feb", 0, 3));
  }

  /**
   * What a route event is worth, however it was read (a line of {@code ip monitor}, a netlink
   * message): the one set of rules for both route sources.
   *
   * @param isDefault whether its destination is a default (prefix length 0)
   * @param linkLocal whether its destination is IPv6 link-local: each device's own fe80::/64,
   *                  which the plan never uses (every veth of a container host brings one)
   */
  static Kind routeKind(int rtProto, IntPredicate ourTable, boolean deleted, int proto, int table, boolean isDefault,
      boolean linkLocal) {
    if (proto == rtProto) {
      return deleted ? Kind.OURS : Kind.IGNORED; // ours: an addition is our own echo
    }
    if (table == KernelObserver.MAIN_TABLE) {
      return isDefault ? Kind.MAIN_DEFAULTS
          : proto == KERNEL_PROTO && !linkLocal ? Kind.MAIN_CONNECTED : Kind.IGNORED;
    }
    return ourTable.test(table) ? Kind.OURS : Kind.IGNORED;
  }

  void start() {
    thread.start();
  }

  private void loop() {
    while (!closed) {
      try {
        process = new ProcessBuilder(argv)
            .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        // The monitor is running: anything that changed before it started is caught by one pass now.
        mainChanged.accept(BOTH, ALL_PARTS);
        oursChanged.run();
        signal.run();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith(" ") || line.startsWith("\t")) {
              continue; // a continuation: its first line was judged already
            }
            Kind k = classify(line);
            if (k == Kind.MAIN_DEFAULTS) {
              mainChanged.accept(routeFamilies(line), EnumSet.of(MainPart.DEFAULTS));
            } else if (k == Kind.MAIN_CONNECTED) {
              mainChanged.accept(routeFamilies(line), EnumSet.of(MainPart.CONNECTED));
            } else if (k == Kind.LOST) {
              Log.warn("%s lost kernel events (%s); reading the main table again", argv.get(0), line.strip());
              mainChanged.accept(BOTH, ALL_PARTS);
              oursChanged.run();
            } else if (k == Kind.OURS) {
              oursChanged.run();
            }
            if (k != Kind.IGNORED) {
              signal.run();
            }
            if (gatherMillis > 0 && !in.ready()) {
              sleepQuietly(gatherMillis); // the burst is read: let the next lines gather
            }
          }
        }
        if (!closed) {
          Log.warn("%s exited (%d); restarting it", String.join(" ", argv), process.waitFor());
        }
      } catch (IOException e) {
        Log.error("%s: %s", argv.get(0), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      sleepQuietly(1000);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    Process p = process;
    if (p != null) {
      p.destroy();
    }
    thread.interrupt();
  }
}
