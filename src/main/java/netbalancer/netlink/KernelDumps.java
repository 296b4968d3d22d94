package netbalancer.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The rtnetlink dumps the observer reads, on one socket with the kernel's strict checking (see
 * {@link NetlinkSocket#forRequests}), each answered as {@code ip} reads the same dump: links,
 * addresses, rules, neighbors of a device, routes of a table and protocol, a link's name. One
 * thread uses an instance at a time; a route dump its handler stopped leaves the rest queued, so
 * the instance is closed then (the kernel never makes the rest).
 */
public final class KernelDumps implements AutoCloseable {
  public static final int AF_INET = Messages.AF_INET;
  public static final int AF_INET6 = Messages.AF_INET6;
  /** rtm_protocol of the kernel's own routes (connected ones). */
  public static final int RTPROT_KERNEL = RouteFilter.RTPROT_KERNEL;
  private static final int ENODEV = 19;
  private static final int ENOENT = 2;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final NetlinkSocket socket;
  private final ByteBuffer buffer = Dump.threadBuffer();
  private boolean stopped;

  private KernelDumps(NetlinkSocket socket) {
    this.socket = socket;
  }

  /**
   * @throws IOException JNA unavailable, or the socket or its strict checking refused (a kernel
   *                     before 4.20): its errno
   */
  public static KernelDumps open() throws IOException {
    return new KernelDumps(NetlinkSocket.forRequests(TIMEOUT));
  }

  /** Every link, in the kernel's order (by index). */
  public List<LinkMessage> links() throws IOException {
    List<LinkMessage> out = new ArrayList<>();
    run("link dump", Requests.links(Messages.nextSequence()), Messages.RTM_NEWLINK, true,
        (b, at, len) -> out.add(LinkMessage.parse(b, at, len)));
    return out;
  }

  /** The addresses of {@code family} on every link. */
  public List<AddressMessage> addresses(int family) throws IOException {
    List<AddressMessage> out = new ArrayList<>();
    run("address dump", Requests.addresses(Messages.nextSequence(), family), Messages.RTM_NEWADDR, true,
        (b, at, len) -> out.add(AddressMessage.parse(b, at, len)));
    return out;
  }

  public List<RuleMessage> rules(int family) throws IOException {
    List<RuleMessage> out = new ArrayList<>();
    run("rule dump", Requests.rules(Messages.nextSequence(), family), Messages.RTM_NEWRULE, true,
        (b, at, len) -> out.add(RuleMessage.parse(b, at, len)));
    return out;
  }

  /** The neighbors of {@code family} on link {@code index} (the kernel filters by device). */
  public List<NeighborMessage> neighbors(int family, int index) throws IOException {
    List<NeighborMessage> out = new ArrayList<>();
    run("neighbor dump of link " + index, Requests.neighbors(Messages.nextSequence(), family, index),
        Messages.RTM_NEWNEIGH, true, (b, at, len) -> {
          NeighborMessage m = NeighborMessage.parse(b, at, len);
          return m == null || out.add(m);
        });
    return out;
  }

  /**
   * The routes of {@code family} in {@code table} (0: every table) of {@code protocol} (0: any),
   * the kernel filtering, each to {@code each} until it answers false.
   *
   * @return false when {@code each} stopped the dump: this instance is then closed
   * @throws NetlinkError ENOENT: the table does not exist
   */
  public boolean routes(int family, int table, int protocol, Predicate<RouteEntry> each) throws IOException {
    return routes(family, table, protocol, length -> true, each);
  }

  /**
   * As {@link #routes(int, int, int, Predicate)}, but a route whose prefix length {@code dstLen}
   * refuses is passed over unread: the kernel cannot filter by destination, and reading each of a
   * routing feed's routes in full (its destination as text) was most of a dump's cost.
   */
  public boolean routes(int family, int table, int protocol, IntPredicate dstLen, Predicate<RouteEntry> each)
      throws IOException {
    boolean complete = run("route dump of table " + (table == 0 ? "all" : table) + " proto " + protocol,
        Requests.routes(Messages.nextSequence(), family, table, protocol), Messages.RTM_NEWROUTE, true,
        (b, at, len) -> !dstLen.test(RouteEntry.dstLen(b, at, len)) || each.test(RouteEntry.parse(b, at, len)));
    if (!complete) {
      close();
    }
    return complete;
  }

  /** The index of link {@code name} (one get), -1 when there is none. */
  public int linkIndex(String name) throws IOException {
    int[] index = {-1};
    try {
      run("link " + name, Requests.link(Messages.nextSequence(), name), Messages.RTM_NEWLINK, false, (b, at, len) -> {
        index[0] = LinkMessage.parse(b, at, len).index();
        return true;
      });
    } catch (NetlinkError e) {
      if (e.errno() != ENODEV) {
        throw e;
      }
    }
    return index[0];
  }

  /**
   * The neighbor entry of {@code address} (4 or 16 bytes) on link {@code index}, one get, whatever
   * else the table holds; null when there is none.
   *
   * @throws NetlinkError EOPNOTSUPP: a kernel before 5.0, which has no such get
   */
  public NeighborMessage neighbor(int family, int index, byte[] address) throws IOException {
    NeighborMessage[] found = {null};
    try {
      run("neighbor on link " + index, Requests.neighbor(Messages.nextSequence(), family, index, address),
          Messages.RTM_NEWNEIGH, false, (b, at, len) -> {
            found[0] = NeighborMessage.parse(b, at, len);
            return true;
          });
    } catch (NetlinkError e) {
      if (e.errno() != ENOENT) {
        throw e;
      }
    }
    return found[0];
  }

  /** The name of link {@code index} (one get, as ip names a route's device), null when there is none. */
  public String linkName(int index) throws IOException {
    String[] name = {null};
    try {
      run("link " + index, Requests.link(Messages.nextSequence(), index), Messages.RTM_NEWLINK, false,
          (b, at, len) -> {
            name[0] = LinkMessage.parse(b, at, len).name();
            return true;
          });
    } catch (NetlinkError e) {
      if (e.errno() != ENODEV) {
        throw e;
      }
    }
    return name[0];
  }

  private boolean run(String what, byte[] request, int answer, boolean dump, Dump.Handler handler) throws IOException {
    if (stopped) {
      throw new IllegalStateException("a dump was stopped on this socket: its rest is still queued");
    }
    boolean complete = Dump.run(socket, buffer, what, request, answer, dump, handler);
    stopped = !complete;
    return complete;
  }

  @Override
  public void close() {
    socket.close();
  }
}
