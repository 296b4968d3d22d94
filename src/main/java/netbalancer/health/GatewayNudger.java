package netbalancer.health;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import netbalancer.log.Log;

/**
 * Keeps the kernel's view of each gateway fresh, so that a gateway that stopped answering ARP is
 * noticed within about a second on an idle uplink too (NEIGHBOR_REACHABILITY_ENABLED).
 *
 * <p>The kernel resolves a neighbor only when a packet needs it, and it reports nothing while
 * resolving: the INCOMPLETE entry raises no netlink event, only FAILED does, 3 s later. So, for
 * each uplink whose gateway has no complete ARP entry ({@code /proc/net/arp}'s flag ATF_COM while
 * that text is small, else one netlink get per gateway), one
 * empty UDP datagram is sent from the uplink's address (the {@code from ADDR} rule sends it out of
 * that uplink, also when uplinks share a subnet) to the discard port of the first probe target;
 * it makes the kernel ARP for the gateway. While an entry is complete (the normal case) nothing is
 * sent at all. After the first nudge of an episode {@link #tick} asks for a reconcile pass: the
 * kernel will not say that it is resolving, so the daemon must look while the entry is INCOMPLETE
 * (and judge it again after its grace), not 3 s later when it turns FAILED.
 */
public final class GatewayNudger implements AutoCloseable {
  /** The kernel's own ARP retransmission time: an ARP request unanswered for that long is lost. */
  static final long UNANSWERED = TimeUnit.SECONDS.toNanos(1);
  static final int DISCARD_PORT = 9;
  private static final int ATF_COM = 0x2;

  /** One uplink with a gateway: the device, the address to send from, the gateway's address. */
  public record Gateway(String device, String source, String gateway) {
  }

  /** Sends one datagram from {@code source} to {@code target}. */
  @FunctionalInterface
  public interface Sender {
    void send(String source, String target) throws IOException;
  }

  /** Which of the gateways the kernel has resolved ("ADDRESS DEVICE"); null when it cannot tell. */
  @FunctionalInterface
  public interface Resolved {
    Set<String> of(List<Gateway> gateways);
  }

  private final Resolved resolved;
  private final Sender sender;
  private final String target;
  private final Map<String, Long> lastSent = new HashMap<>();
  private final Set<String> told = new HashSet<>();

  /**
   * @param resolved which gateways the kernel has resolved (null if it cannot tell: then nothing is done)
   * @param target   where the datagrams go: the first IPv4 probe target
   */
  public GatewayNudger(Resolved resolved, Sender sender, String target) {
    this.resolved = resolved;
    this.sender = sender;
    this.target = target;
  }

  /** As above, reading the kernel's answer from the text of /proc/net/arp ({@code arpTable}, null if unreadable). */
  public GatewayNudger(Supplier<String> arpTable, Sender sender, String target) {
    this(new ArpText(arpTable), sender, target);
  }

  /**
   * The real thing: /proc/net/arp while it is small, then a netlink get of each gateway's entry
   * (see {@link NeighborGets}); UDP to the discard port.
   */
  public static GatewayNudger forTarget(String target) {
    return new GatewayNudger(new NeighborGets(new ArpText(GatewayNudger::readArp)), GatewayNudger::sendUdp, target);
  }

  /**
   * Nudges the gateways that need it, at most once per {@link #UNANSWERED} each; returns true
   * after the first nudge of an episode (an entry found not complete): time to look.
   */
  public boolean tick(long now, List<Gateway> gateways) {
    Set<String> complete = resolved.of(gateways);
    if (complete == null) {
      return false; // cannot tell what the kernel knows: better nothing than blind traffic
    }
    boolean look = false;
    Set<String> current = new HashSet<>();
    for (Gateway g : gateways) {
      String key = g.gateway() + " " + g.device();
      current.add(key);
      if (complete.contains(key)) {
        lastSent.remove(key);
        told.remove(key);
        continue;
      }
      Long sent = lastSent.get(key);
      if (sent != null && now - sent < UNANSWERED) {
        continue; // the kernel is still resolving: one more packet would only wait in its queue
      }
      lastSent.put(key, now);
      try {
        sender.send(g.source(), target);
      } catch (IOException | RuntimeException e) {
        Log.debug("neighbor: nudge from %s failed: %s", g.source(), e);
      }
      if (told.add(key)) {
        Log.debug("neighbor: gateway %s on %s not resolved: nudged", g.gateway(), g.device());
        look = true;
      }
    }
    lastSent.keySet().retainAll(current);
    told.retainAll(current);
    return look;
  }

  /** Lets go of what the kernel is asked through (a netlink socket). */
  @Override
  public void close() {
    if (resolved instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        Log.debug("neighbor: close: %s", e);
      }
    }
  }

  /** "ADDRESS DEVICE" of every entry the kernel has resolved (flag ATF_COM). */
  static Set<String> completeEntries(String arp) {
    Set<String> out = new HashSet<>();
    if (arp == null) {
      return out;
    }
    for (String line : arp.split("\n")) {
      String[] f = fields(line);
      if (f.length < 6 || !f[2].startsWith("0x")) {
        continue; // the header, or garbage
      }
      try {
        if ((Integer.parseInt(f[2].substring(2), 16) & ATF_COM) != 0) {
          out.add(f[0] + " " + f[5]);
        }
      } catch (NumberFormatException e) {
        // not an entry
      }
    }
    return out;
  }

  /** Whitespace-separated fields, without a regular expression (this runs twice a second). */
  static String[] fields(String line) {
    List<String> out = new ArrayList<>(8);
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(line.substring(start, i));
      }
    }
    return out.toArray(String[]::new);
  }

  private static String readArp() {
    try {
      return Files.readString(Path.of("/proc/net/arp"));
    } catch (IOException e) {
      return null;
    }
  }

  private static void sendUdp(String source, String target) throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(source), 0))) {
      s.send(new DatagramPacket(new byte[0], 0, InetAddress.getByName(target), DISCARD_PORT));
    }
  }
}
