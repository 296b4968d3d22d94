package netbalancer.observe;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import netbalancer.netlink.AddressMessage;
import netbalancer.netlink.DumpInterrupted;
import netbalancer.netlink.KernelDumps;
import netbalancer.netlink.LinkMessage;
import netbalancer.netlink.NeighborMessage;
import netbalancer.netlink.NetlinkError;
import netbalancer.netlink.NftDumps;
import netbalancer.netlink.RouteEntry;
import netbalancer.netlink.RuleMessage;

/**
 * The kernel reads in-process over rtnetlink (the daemon's): the same dumps {@code ip} makes for
 * the same commands, the kernel filtering route and neighbor dumps as for ip's single commands,
 * without a process per read (~5-20 ms each, ~9 a pass). Each call opens its own socket (a few
 * system calls), so calls run on any thread at once. The records are {@link IpJson}'s for ip's
 * answer to the same question (NetlinkReadsIT compares both readers on a real kernel).
 */
public final class NetlinkReads implements KernelReads {
  /** How often a dump the kernel marks inconsistent is made again before the read fails. */
  private static final int ATTEMPTS = 3;
  /** RT_TABLE_LOCAL: small whatever main holds. */
  private static final int LOCAL_TABLE = 255;
  /**
   * Up to this many devices in a read's routes are named by a get each, more by one link dump (in
   * NetlinkReadsIT's lab main's defaults, on 3 uplinks, take the gets and its connected routes, on
   * the uplinks and the LAN, the dump: both held equal to ip's).
   */
  static final int NAMED_ONE_BY_ONE = 3;

  private NetlinkReads() {
  }

  /**
   * The reads, once a socket with strict checking opened (and closed).
   *
   * @throws IOException why not (JNA unavailable, a refused socket option: its errno)
   */
  public static NetlinkReads open() throws IOException {
    KernelDumps.open().close();
    return new NetlinkReads();
  }

  /**
   * Loads JNA (~70-100 ms in a fresh JVM) and the readers' classes by small real reads whose cost
   * does not grow with main (links, addresses and rules of both families; main's IPv4 defaults,
   * which stop early; IPv6's local table; our nft table, without its sets' elements), ignoring any
   * failure: for a thread started first thing, so the daemon's first pass finds all of it loaded.
   * Reads only.
   */
  public static void warmUp() {
    try {
      NetlinkReads reads = open();
      reads.family(Family.INET, List.of());
      reads.family(Family.INET6, List.of());
      reads.mainDefaults(Family.INET);
      reads.ours(Family.INET6, LOCAL_TABLE, KernelDumps.RTPROT_KERNEL);
      reads.nftTable();
    } catch (IOException | RuntimeException | LinkageError e) {
      // open() says why, where it matters
    }
  }

  @Override
  public FamilyRead family(Family family, List<String> neighborDevices) {
    return attempt("links, addresses, rules and neighbors", () -> {
      int af = af(family);
      try (KernelDumps k = KernelDumps.open()) {
        List<LinkMessage> links = k.links();
        Map<Integer, List<Address>> addresses = new HashMap<>();
        for (AddressMessage m : k.addresses(af)) {
          if (m.family() == af) {
            addresses.computeIfAbsent(m.index(), i -> new ArrayList<>()).add(address(m));
          }
        }
        List<Rule> rules = new ArrayList<>();
        for (RuleMessage m : k.rules(af)) {
          if (m.family() == af) {
            rules.add(new Rule(family, m.priority(), m.src(), m.fwmark(), m.fwmask(), m.table(),
                m.suppressPrefixLength(), m.protocol()));
          }
        }
        List<Neighbor> neighbors = new ArrayList<>();
        for (String dev : neighborDevices) {
          int index = links.stream().filter(l -> l.name().equals(dev)).mapToInt(LinkMessage::index).findFirst()
              .orElse(0);
          if (index == 0) {
            throw new DeviceGone("netlink: no device " + dev + " for its neighbors");
          }
          for (NeighborMessage m : k.neighbors(af, index)) {
            // As ip neigh show dev D: that device, ip's default states (not NOARP).
            if (m.index() == index && m.listed() && Family.of(m.address()) == family) {
              neighbors.add(new Neighbor(m.address(), dev, m.states()));
            }
          }
        }
        // As ip -4|-6 address show: the links (in the kernel's order) that have an address of the
        // family. ip -6 -d prints no linkinfo, so its links have no kind: the observer takes a
        // link's kind from the IPv4 read, and an IPv6-only link has none, by either reader.
        List<Link> out = new ArrayList<>();
        for (LinkMessage l : links) {
          List<Address> a = addresses.get(l.index());
          if (a != null) {
            out.add(new Link(l.name(), l.index(), l.up(), l.lowerUp(), l.pointToPoint(),
                family == Family.INET ? l.kind() : "", a));
          }
        }
        return new FamilyRead(out, rules, neighbors);
      }
    });
  }

  /** As IpJson.link's addresses: ip -N prints the scope as its number. */
  static Address address(AddressMessage m) {
    return new Address(m.inet6() ? Family.INET6 : Family.INET, m.local(), m.prefixLen(), m.peer(),
        Integer.toString(m.scope()), m.tentative(), m.deprecated(), m.temporary());
  }

  @Override
  public List<Route> ours(Family family, Integer table, int rtProto) {
    try {
      return routes(family, table == null ? 0 : table, rtProto, true, length -> true,
          e -> e.protocol() == rtProto && (table == null || e.table() == table), e -> true);
    } catch (NoSuchTable e) {
      return List.of(); // deleted since the rules were read: nothing of ours is in it
    }
  }

  /**
   * IPv4: the kernel dumps its routing trie in address order, so every route to 0.0.0.0/x comes
   * first; the read stops at the first other prefix and closes the socket, and the kernel never
   * makes the rest of the dump (its cost does not grow with main). IPv6's tree is walked with
   * ::/0 last: a whole dump of main, of which the defaults are kept (as ip's "default" keeps them);
   * every other route is passed over by its prefix length, unread (an IPv6 feed's 200 000 routes
   * read in full took most of a first apply).
   */
  @Override
  public List<Route> mainDefaults(Family family) {
    if (family == Family.INET) {
      // every 0.0.0.0/x is read: the first route to another address ends the dump
      return routes(family, KernelObserver.MAIN_TABLE, 0, false, length -> true, e -> e.dstLen() == 0,
          RouteEntry::zeroDestination);
    }
    return routes(family, KernelObserver.MAIN_TABLE, 0, false, length -> length == 0, e -> true, e -> true);
  }

  /**
   * Over nfnetlink ({@link NftDumps}): the table, its rules counted, its named counters, the
   * fingerprint set's and the mark map's elements, and never a sticky map's. The ruleset's
   * generation before and after says whether an nft transaction came in between; then it is read
   * again, as an interrupted dump is.
   */
  @Override
  public NftTable nftTable() {
    return attempt("our nft table", () -> {
      try (NftDumps nft = NftDumps.open()) {
        for (int i = 1; ; i++) {
          long generation = nft.generation();
          NftTable table = nftTable(nft);
          if (nft.generation() == generation) {
            return table;
          }
          if (i == ATTEMPTS) {
            throw new IllegalStateException("netlink: the nft ruleset changed while our table was read, " + ATTEMPTS
                + " times");
          }
        }
      }
    });
  }

  private static NftTable nftTable(NftDumps nft) throws IOException {
    int family = NftDumps.NFPROTO_INET;
    String name = KernelObserver.NFT_TABLE;
    if (!nft.tableExists(family, name)) {
      return NftTable.ABSENT;
    }
    int rules = nft.ruleCount(family, name);
    Map<String, Long> counters = nft.counters(family, name);
    String[] fingerprint = {""};
    nft.elements(family, name, NftTable.FINGERPRINT_SET, (key, data) -> fingerprint[0] = NftDumps.ifname(key));
    Map<String, Long> marks = new LinkedHashMap<>();
    nft.elements(family, name, NftTable.MARK_MAP, (key, data) -> marks.put(NftDumps.ifname(key), NftDumps.mark(data)));
    return new NftTable(true, fingerprint[0], rules, marks, counters);
  }

  @Override
  public List<Route> mainConnected(Family family) {
    return routes(family, KernelObserver.MAIN_TABLE, KernelDumps.RTPROT_KERNEL, false, length -> true,
        e -> e.protocol() == KernelDumps.RTPROT_KERNEL && e.table() == KernelObserver.MAIN_TABLE, e -> true);
  }

  /**
   * One route dump: the entries {@code keep} accepts until {@code more} says stop (the rest of the
   * dump is then never made), cached routes left out as ip leaves them out; then their devices
   * named on a socket of their own, one get per device as ip names them, or from one link dump
   * when they are more than {@link #NAMED_ONE_BY_ONE} ("if7" for a device gone meanwhile).
   */
  private List<Route> routes(Family family, int table, int protocol, boolean own, IntPredicate dstLen,
      Predicate<RouteEntry> keep, Predicate<RouteEntry> more) {
    String what = "route dump of table " + (table == 0 ? "all" : table) + " proto " + protocol;
    List<RouteEntry> entries = attempt(what, () -> {
      List<RouteEntry> kept = new ArrayList<>();
      try (KernelDumps k = KernelDumps.open()) {
        k.routes(af(family), table, protocol, dstLen, e -> {
          if (!more.test(e)) {
            return false;
          }
          if (!e.cloned() && keep.test(e)) {
            kept.add(e);
          }
          return true;
        });
      } catch (NetlinkError e) {
        if (e.errno() == NetlinkError.ENOENT && table != 0) {
          throw new NoSuchTable();
        }
        throw e;
      }
      return kept;
    });
    if (entries.isEmpty()) {
      return List.of();
    }
    return attempt("link names", () -> {
      Map<Integer, String> names = new HashMap<>();
      try (KernelDumps k = KernelDumps.open()) {
        if (devices(entries) > NAMED_ONE_BY_ONE) {
          // a router's many VLANs or tunnels: one dump of the links, not a get per device (600
          // connected routes over 600 devices took 87-212 ms); one gone since is named by a get
          for (LinkMessage l : k.links()) {
            names.put(l.index(), l.name());
          }
        }
        IntFunction<String> name = i -> names.computeIfAbsent(i, index -> linkName(k, index));
        List<Route> out = new ArrayList<>();
        for (RouteEntry e : entries) {
          Route r = route(e, name, own);
          if (r != null) {
            out.add(r);
          }
        }
        return out;
      }
    });
  }

  /** The distinct devices of these routes' nexthops. */
  private static int devices(List<RouteEntry> entries) {
    Set<Integer> seen = new HashSet<>();
    for (RouteEntry e : entries) {
      for (RouteEntry.Hop h : e.hops()) {
        if (h.ifindex() != 0) {
          seen.add(h.ifindex());
        }
      }
    }
    return seen.size();
  }

  private static String linkName(KernelDumps k, int index) {
    try {
      String name = k.linkName(index);
      return name != null ? name : "if" + index; // as ip names a device it cannot find
    } catch (IOException e) {
      throw new IllegalStateException("netlink: " + e.getMessage(), e);
    }
  }

  /**
   * As {@link IpJson#route} ({@code own} false: unicast only) or {@link IpJson#ownRoute} ({@code
   * own} true: also the unreachable and blackhole last resorts, without nexthops): the record, or
   * null for another type.
   */
  static Route route(RouteEntry e, IntFunction<String> names, boolean own) {
    Family f = e.family() == KernelDumps.AF_INET6 ? Family.INET6 : Family.INET;
    if (own && (e.type() == RouteEntry.RTN_UNREACHABLE || e.type() == RouteEntry.RTN_BLACKHOLE)) {
      return new Route(f, e.table(), e.dst(), List.of(), e.protocol(), e.scope(), null, e.metric(), false,
          e.type() == RouteEntry.RTN_UNREACHABLE ? Route.UNREACHABLE : Route.BLACKHOLE);
    }
    if (e.type() != RouteEntry.RTN_UNICAST) {
      return null;
    }
    List<Nexthop> nexthops = new ArrayList<>(e.hops().size());
    for (RouteEntry.Hop hop : e.hops()) {
      // No device (ip prints no dev): "", as IpJson reads the missing field.
      nexthops.add(new Nexthop(hop.gateway(), hop.ifindex() == 0 ? "" : names.apply(hop.ifindex()), hop.weight()));
    }
    return new Route(f, e.table(), e.dst(), nexthops, e.protocol(), e.scope(), e.prefsrc(), e.metric(), e.linkdown());
  }

  private static int af(Family family) {
    return family == Family.INET6 ? KernelDumps.AF_INET6 : KernelDumps.AF_INET;
  }

  private interface Read<T> {
    T run() throws IOException;
  }

  /** {@code read}, made again when the kernel says its dump was interrupted; a failure as a RuntimeException. */
  private static <T> T attempt(String what, Read<T> read) {
    for (int i = 1; ; i++) {
      try {
        return read.run();
      } catch (DumpInterrupted e) {
        if (i == ATTEMPTS) {
          throw new IllegalStateException("netlink: " + e.getMessage() + ", " + ATTEMPTS + " times");
        }
      } catch (IOException e) {
        throw new IllegalStateException("netlink: " + what + ": " + e.getMessage(), e);
      }
    }
  }

  /** The kernel has no such table (ENOENT): the ip path's "FIB table does not exist". */
  private static final class NoSuchTable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoSuchTable() {
      super(null, null, false, false);
    }
  }
}
