package netbalancer.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntPredicate;
import netbalancer.log.Log;
import netbalancer.netlink.NetlinkSocket;
import netbalancer.netlink.RouteFilter;
import netbalancer.netlink.RouteMessage;
import netbalancer.observe.Family;
import netbalancer.observe.MainPart;

/**
 * Route events from an rtnetlink socket of our own, in place of {@code ip monitor route}: the
 * socket carries a classic-BPF filter ({@link RouteFilter}), so the kernel drops a routing feed's
 * changes before they are queued and neither a process nor this thread wakes for them (the
 * {@code ip monitor route} path cost ~0.8 % of a core at 50 changes a second: ip woken by every
 * message, its reader every 100 ms). What passes is judged by {@link KernelMonitor#routeKind},
 * the same rules as the text path; the filter is only a coarse pre-filter. Lost messages (ENOBUFS,
 * NLMSG_OVERRUN, a datagram that does not parse, an error) make everything kept stale, as when
 * {@code ip} reports a receive error. Opened by the caller's thread so that a failure (no JNA, a
 * refused socket) reaches it and the daemon falls back to {@code ip monitor route}.
 */
final class NetlinkRouteMonitor extends NetlinkEventLoop {
  /**
   * How often the receiving thread looks at the closed flag: a netlink recv cannot be woken. Each
   * timed wake-up costs ~0.27 ms of CPU on this VM (measured: 4.1 ms in 15 s at 1 s); at 5 s that
   * is 0.005 % of a core, and a closed monitor's thread ends within 5 s (the socket is the
   * daemon's only until its JVM exits, which does not wait for it).
   */
  static final Duration WAKE = Duration.ofSeconds(5);
  /** The socket's queue, as iproute2's: only filtered messages are queued, so it fills only in a storm of ours. */
  private static final int RECEIVE_BUFFER = 1 << 20;
  private static final List<Integer> GROUPS = List.of(NetlinkSocket.RTNLGRP_IPV4_ROUTE, NetlinkSocket.RTNLGRP_IPV6_ROUTE);

  private final int rtProto;
  private final List<Integer> ourTables;
  private final IntPredicate ourTable;
  private final BiConsumer<Set<Family>, Set<MainPart>> mainChanged;
  private final Runnable oursChanged;

  NetlinkRouteMonitor(NetlinkSocket socket, int rtProto, List<Integer> ourTables,
      BiConsumer<Set<Family>, Set<MainPart>> mainChanged, Runnable oursChanged, Runnable signal) {
    super(socket, "route events", "netlink-route-monitor", signal);
    this.rtProto = rtProto;
    this.ourTables = List.copyOf(ourTables);
    this.ourTable = this.ourTables::contains;
    this.mainChanged = mainChanged;
    this.oursChanged = oursChanged;
  }

  /**
   * Opens the socket (not yet read: see {@link #start}); the callbacks are those of
   * {@link KernelMonitor#routes}.
   *
   * @throws IOException the socket could not be made (JNA missing or not loadable, a call refused)
   */
  static NetlinkRouteMonitor open(int rtProto, List<Integer> ourTables, BiConsumer<Set<Family>, Set<MainPart>> mainChanged,
      Runnable oursChanged, Runnable signal) throws IOException {
    return new NetlinkRouteMonitor(openSocket(rtProto, ourTables), rtProto, ourTables, mainChanged, oursChanged, signal);
  }

  private static NetlinkSocket openSocket(int rtProto, List<Integer> ourTables) throws IOException {
    return NetlinkSocket.open(GROUPS, RouteFilter.program(rtProto, ourTables), RECEIVE_BUFFER, WAKE);
  }

  @Override
  NetlinkSocket reopen() throws IOException {
    return openSocket(rtProto, ourTables);
  }

  /** The socket is joined: anything that changed before is caught by one pass now. */
  @Override
  boolean catchUpAtStart() {
    return true;
  }

  @Override
  boolean handle(ByteBuffer datagram) {
    return handle(RouteMessage.parse(datagram));
  }

  @Override
  void caughtUp() {
    mainChanged.accept(KernelMonitor.BOTH, KernelMonitor.ALL_PARTS);
    oursChanged.run();
    signal.run();
  }


  /** Acts on one datagram's messages; whether the reconciler must wake. */
  boolean handle(List<RouteMessage> messages) {
    boolean wake = false;
    for (RouteMessage m : messages) {
      KernelMonitor.Kind k = kind(m);
      if (k == KernelMonitor.Kind.MAIN_DEFAULTS) {
        mainChanged.accept(families(m), EnumSet.of(MainPart.DEFAULTS));
      } else if (k == KernelMonitor.Kind.MAIN_CONNECTED) {
        mainChanged.accept(families(m), EnumSet.of(MainPart.CONNECTED));
      } else if (k == KernelMonitor.Kind.OURS) {
        oursChanged.run();
      } else if (k == KernelMonitor.Kind.LOST) {
        Log.warn("route events: netlink %s; reading the main table again",
            m.type() == RouteMessage.NLMSG_OVERRUN ? "overrun" : "error " + m.error());
        mainChanged.accept(KernelMonitor.BOTH, KernelMonitor.ALL_PARTS);
        oursChanged.run();
      }
      wake |= k != KernelMonitor.Kind.IGNORED;
    }
    return wake;
  }

  /** What one message is worth: routes by the rules of {@link KernelMonitor#routeKind}. */
  KernelMonitor.Kind kind(RouteMessage m) {
    if (m.isRoute()) {
      return KernelMonitor.routeKind(rtProto, ourTable, m.deleted(), m.protocol(), m.table(), m.dstLen() == 0,
          m.linkLocal());
    }
    boolean lost = m.type() == RouteMessage.NLMSG_OVERRUN || m.type() == RouteMessage.NLMSG_ERROR && m.error() != 0;
    return lost ? KernelMonitor.Kind.LOST : KernelMonitor.Kind.IGNORED; // an ACK, NLMSG_DONE: nothing happened
  }

  static Set<Family> families(RouteMessage m) {
    return m.family() == RouteMessage.AF_INET ? EnumSet.of(Family.INET)
        : m.family() == RouteMessage.AF_INET6 ? EnumSet.of(Family.INET6) : KernelMonitor.BOTH;
  }
}
