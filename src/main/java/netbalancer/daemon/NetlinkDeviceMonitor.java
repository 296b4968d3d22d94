package netbalancer.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import netbalancer.log.Log;
import netbalancer.netlink.DeviceMessage;
import netbalancer.netlink.NeighborFilter;
import netbalancer.netlink.NeighborMessage;
import netbalancer.netlink.NetlinkSocket;

/**
 * Link, address, rule and neighbor events from an rtnetlink socket of our own, in place of
 * {@code ip monitor link address rule neigh}: its classic-BPF filter ({@link NeighborFilter})
 * passes link, address and neighbor messages of the uplinks' links only, so the LAN's hosts, whose
 * entries change state all day, and a container host's veths, which come and go with each
 * container, are dropped by the kernel before they are queued. With {@code ip monitor} every one
 * was printed by ip and parsed here: 1 000 neighbor events a second cost the daemon 5.1 % of a
 * core and its ip 2.9 %; 10 veth pairs a second 1.6 % and 0.9 %. The links are the daemon's to say
 * ({@link #links}, after each pass); the receiving thread puts the new filter on within
 * {@link #WAKE} and asks for a pass, which reads links, addresses and neighbors itself, so an event
 * dropped meanwhile is not missed. What passes is judged as {@link KernelMonitor} judges ip's lines:
 * a neighbor by {@code interesting} (the daemon's gateway rule), a link or address by
 * {@code devices}, a rule only when one of ours (protocol {@code rtProto}) is deleted. Opened by the
 * caller's thread so that a failure reaches it and the daemon falls back to {@code ip monitor}.
 */
final class NetlinkDeviceMonitor extends NetlinkEventLoop {
  /** How often the receiving thread looks for new links and the closed flag (a recv cannot be woken). */
  static final Duration WAKE = Duration.ofSeconds(1);
  private static final int RECEIVE_BUFFER = 1 << 18;
  private static final List<Integer> GROUPS = List.of(NetlinkSocket.RTNLGRP_LINK, NetlinkSocket.RTNLGRP_NEIGH,
      NetlinkSocket.RTNLGRP_IPV4_IFADDR, NetlinkSocket.RTNLGRP_IPV4_RULE, NetlinkSocket.RTNLGRP_IPV6_IFADDR,
      NetlinkSocket.RTNLGRP_IPV6_RULE);

  /** The links whose messages pass (ifindex to name), and whether every link message does. */
  record Links(Map<Integer, String> byIndex, boolean all) {
    static final Links NONE = new Links(Map.of(), false);
  }

  private final int rtProto;
  private final Predicate<NeighborEvent> interesting;
  private final KernelMonitor.Devices devices;
  private final Runnable oursChanged;
  private volatile Links wanted = Links.NONE;
  /** The links the socket's filter passes (receiving thread only). */
  private Links filtered = Links.NONE;

  NetlinkDeviceMonitor(NetlinkSocket socket, int rtProto, Predicate<NeighborEvent> interesting,
      KernelMonitor.Devices devices, Runnable oursChanged, Runnable signal) {
    super(socket, "device events", "netlink-device-monitor", signal);
    this.rtProto = rtProto;
    this.interesting = interesting;
    this.devices = devices;
    this.oursChanged = oursChanged;
  }

  /**
   * Opens the socket, passing no link, address or neighbor message until {@link #links} names some.
   *
   * @throws IOException the socket could not be made (JNA missing or not loadable, a call refused)
   */
  static NetlinkDeviceMonitor open(int rtProto, Predicate<NeighborEvent> interesting, KernelMonitor.Devices devices,
      Runnable oursChanged, Runnable signal) throws IOException {
    return new NetlinkDeviceMonitor(openSocket(Links.NONE), rtProto, interesting, devices, oursChanged, signal);
  }

  private static NetlinkSocket openSocket(Links links) throws IOException {
    return NetlinkSocket.open(GROUPS, program(links), RECEIVE_BUFFER, WAKE);
  }

  private static List<netbalancer.netlink.Bpf> program(Links links) {
    return NeighborFilter.program(limit(links.byIndex()).keySet(), links.all());
  }

  /**
   * The links whose events matter now (ifindex to name: the uplinks'), and whether every link's
   * link messages do (UPLINKS names a device that is not there: it may appear under any index);
   * any thread. Above {@link NeighborFilter#MAX_LINKS} the filter passes only the first ones, and
   * a pass reads the rest anyway.
   */
  void links(Map<Integer, String> byIndex, boolean all) {
    Links next = new Links(Map.copyOf(byIndex), all);
    if (!next.equals(wanted)) {
      wanted = next;
    }
  }

  /** The socket was joined after the daemon's first pass: what changed in between is read by one more. */
  @Override
  boolean catchUpAtStart() {
    return true;
  }

  @Override
  NetlinkSocket reopen() throws IOException {
    Links now = wanted;
    NetlinkSocket s = openSocket(now);
    filtered = now;
    return s;
  }

  @Override
  void beforeReceive(NetlinkSocket socket) throws IOException {
    Links now = wanted;
    if (!now.equals(filtered)) {
      socket.filter(program(now));
      filtered = now;
      caughtUp(); // what the old filter dropped in between: the pass reads it
    }
  }

  @Override
  boolean handle(ByteBuffer datagram) {
    return handle(DeviceMessage.datagram(datagram), filtered.byIndex());
  }

  /** Whether one of the messages matters; {@code links}: the uplinks' (ifindex to name) a neighbor is named by. */
  boolean handle(List<DeviceMessage> messages, Map<Integer, String> links) {
    boolean wake = false;
    for (DeviceMessage m : messages) {
      switch (m.kind()) {
        case NEIGHBOR -> {
          String device = links.get(m.index());
          NeighborEvent.Nud state = state(m.neighbor());
          wake |= device != null && state != null
              && interesting.test(new NeighborEvent(m.neighbor().address(), device, state));
        }
        case LINK, ADDRESS -> {
          if (devices.matter(m.index(), m.name() == null ? "" : m.name())) {
            if (m.kind() == DeviceMessage.Kind.ADDRESS || m.deleted() || !m.up()) {
              oursChanged.run(); // a device down or gone loses its IPv4 routes, ours too, without an event each
            }
            wake = true;
          }
        }
        case RULE -> wake |= m.deleted() && m.protocol() == rtProto; // ours added: our echo; others': not the plan's
        case LOST -> {
          Log.warn("device events: the kernel reports an error; reading again");
          oursChanged.run();
          wake = true;
        }
        default -> throw new IllegalStateException("unknown kind " + m.kind());
      }
    }
    return wake;
  }

  @Override
  void caughtUp() {
    oursChanged.run();
    signal.run();
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
