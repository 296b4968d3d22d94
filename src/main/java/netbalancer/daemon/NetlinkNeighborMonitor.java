package netbalancer.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import netbalancer.netlink.NeighborFilter;
import netbalancer.netlink.NeighborMessage;
import netbalancer.netlink.NetlinkSocket;

/**
 * Neighbor events from an rtnetlink socket of our own, in place of {@code ip monitor neigh}: its
 * classic-BPF filter ({@link NeighborFilter}) passes only the uplinks' links, so the LAN's hosts,
 * whose entries change state all day, are dropped by the kernel before they are queued. With
 * {@code ip monitor} every one was printed by ip and parsed here: 1 000 neighbor events a second
 * (a LAN of some ten thousand busy hosts) cost the daemon 5.1 % of a core and its ip 2.9 %. The
 * links are the daemon's to say ({@link #links}, after each pass); the receiving thread puts the
 * new filter on within {@link #WAKE} and asks for a pass, which reads the neighbors itself, so an
 * event dropped meanwhile is not missed. What passes is judged by {@code interesting} (the
 * daemon's gateway rule); lost messages (ENOBUFS) ask for a pass too. Opened by the caller's
 * thread so that a failure reaches it and the daemon falls back to {@code ip monitor neigh}.
 */
final class NetlinkNeighborMonitor extends NetlinkEventLoop {
  /** How often the receiving thread looks for new links and the closed flag (a recv cannot be woken). */
  static final Duration WAKE = Duration.ofSeconds(1);
  private static final int RECEIVE_BUFFER = 1 << 18;

  private final Predicate<NeighborEvent> interesting;
  private final Runnable signal;
  private volatile Map<Integer, String> wanted = Map.of();
  /** The links the socket's filter passes (receiving thread only). */
  private Map<Integer, String> filtered = Map.of();

  NetlinkNeighborMonitor(NetlinkSocket socket, Predicate<NeighborEvent> interesting, Runnable signal) {
    super(socket, "neighbor events", "netlink-neighbor-monitor");
    this.interesting = interesting;
    this.signal = signal;
  }

  /**
   * Opens the socket, passing no neighbor message until {@link #links} names some.
   *
   * @throws IOException the socket could not be made (JNA missing or not loadable, a call refused)
   */
  static NetlinkNeighborMonitor open(Predicate<NeighborEvent> interesting, Runnable signal) throws IOException {
    return new NetlinkNeighborMonitor(openSocket(List.of()), interesting, signal);
  }

  private static NetlinkSocket openSocket(java.util.Collection<Integer> links) throws IOException {
    return NetlinkSocket.open(List.of(NetlinkSocket.RTNLGRP_NEIGH), NeighborFilter.program(links), RECEIVE_BUFFER, WAKE);
  }

  /**
   * The links whose neighbor events matter now (ifindex to name: the uplinks'); any thread. Above
   * {@link NeighborFilter#MAX_LINKS} the filter passes only the first ones, and a pass reads the
   * rest's neighbors anyway.
   */
  void links(Map<Integer, String> byIndex) {
    if (!byIndex.equals(wanted)) {
      wanted = Map.copyOf(byIndex);
    }
  }

  @Override
  NetlinkSocket reopen() throws IOException {
    Map<Integer, String> now = wanted;
    NetlinkSocket s = openSocket(limit(now).keySet());
    filtered = now;
    return s;
  }

  @Override
  void beforeReceive(NetlinkSocket socket) throws IOException {
    Map<Integer, String> now = wanted;
    if (!now.equals(filtered)) {
      socket.filter(NeighborFilter.program(limit(now).keySet()));
      filtered = now;
      signal.run(); // what the old filter dropped in between: the pass reads it
    }
  }

  @Override
  boolean handle(ByteBuffer datagram) {
    return handle(NeighborMessage.datagram(datagram), filtered);
  }

  /** A pass reads the gateways' neighbors itself. */
  @Override
  void caughtUp() {
    signal.run();
  }

  @Override
  void signal() {
    signal.run();
  }

  /** Whether one of the messages of {@code links} (ifindex to name) matters; other links' are ignored. */
  boolean handle(List<NeighborMessage> messages, Map<Integer, String> links) {
    boolean wake = false;
    for (NeighborMessage m : messages) {
      String device = links.get(m.index());
      NeighborEvent.Nud state = state(m);
      if (device != null && state != null && interesting.test(new NeighborEvent(m.address(), device, state))) {
        wake = true;
      }
    }
    return wake;
  }

  /** The NUD state ip would print last on the line (its highest bit set), or null for none. */
  static NeighborEvent.Nud state(NeighborMessage m) {
    List<String> states = m.states();
    if (states.isEmpty()) {
      return m.state() == 0 ? NeighborEvent.Nud.NONE : null;
    }
    try {
      return NeighborEvent.Nud.valueOf(states.get(states.size() - 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Map<Integer, String> limit(Map<Integer, String> links) {
    if (links.size() <= NeighborFilter.MAX_LINKS) {
      return links;
    }
    Map<Integer, String> first = new java.util.LinkedHashMap<>();
    links.entrySet().stream().limit(NeighborFilter.MAX_LINKS).forEach(e -> first.put(e.getKey(), e.getValue()));
    return first;
  }
}
