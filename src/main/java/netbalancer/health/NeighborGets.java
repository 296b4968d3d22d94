package netbalancer.health;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.log.Log;
import netbalancer.netlink.KernelDumps;
import netbalancer.netlink.NeighborMessage;
import netbalancer.netlink.NetlinkError;

/**
 * Resolved gateways by asking the kernel for each gateway's own entry (RTM_GETNEIGH, a get: a
 * hash lookup whatever the table holds), where the whole ARP table as text grew with the LAN. The
 * text is read while it is small (at most {@link #SMALL_TEXT} characters, about 250 entries): the
 * gets go through JNA, which the JIT compiles only after minutes, and until then they cost the
 * idle daemon about 0.2 % of a core more than a few lines of text (equal once compiled). The
 * first text above that switches to the gets for good (a LAN rarely shrinks from thousands).
 * Where there is no netlink socket (no JNA) or no such get (Linux before 5.0) it says so once and
 * reads the text from then on; after any other error, the text that once and a new socket the
 * next time. The socket and the devices' indexes are kept between calls. One thread at a time.
 */
final class NeighborGets implements GatewayNudger.Resolved, AutoCloseable {
  /** Characters of /proc/net/arp up to which reading it is cheaper than the gets (77 an entry). */
  static final int SMALL_TEXT = 20_000;
  private static final int ENODEV = 19;
  private static final int EOPNOTSUPP = 95;
  private final ArpText text;
  private final Map<String, Integer> indexes = new HashMap<>();
  private KernelDumps socket;
  private boolean gets;
  private boolean fallen;

  NeighborGets(ArpText text) {
    this.text = text;
  }

  /** As if the text had been large already: the gets from the first call (tests). */
  NeighborGets getsFirst() {
    gets = true;
    return this;
  }

  @Override
  public Set<String> of(List<GatewayNudger.Gateway> gateways) {
    if (fallen || !gets) {
      Set<String> resolved = text.of(gateways);
      if (!fallen && text.lastLength() > SMALL_TEXT) {
        gets = true;
        Log.debug("neighbor: the ARP table is %d characters: asking for the gateways' entries from now on",
            text.lastLength());
      }
      return resolved;
    }
    try {
      if (socket == null) {
        socket = KernelDumps.open();
      }
      Set<String> out = new HashSet<>();
      for (GatewayNudger.Gateway g : gateways) {
        byte[] address = ipv4(g.gateway());
        if (address != null && resolved(g.device(), address)) {
          out.add(g.gateway() + " " + g.device());
        }
      }
      return out;
    } catch (NetlinkError e) {
      if (e.errno() == EOPNOTSUPP) {
        fallen = true;
        Log.info("neighbor: this kernel has no neighbor get (%s); reading /proc/net/arp", e.getMessage());
      } else {
        Log.debug("neighbor: %s; /proc/net/arp this time", e.getMessage());
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      if (socket == null) {
        fallen = true;
        Log.info("neighbor: no netlink socket (%s); reading /proc/net/arp", e.getMessage());
      } else {
        Log.debug("neighbor: %s; /proc/net/arp this time", e);
      }
    }
    close();
    return text.of(gateways);
  }

  /** Whether the kernel has {@code device}'s entry for {@code address} resolved; a device gone is not. */
  private boolean resolved(String device, byte[] address) throws IOException {
    for (int attempt = 0; attempt < 2; attempt++) {
      Integer index = indexes.get(device);
      if (index == null) {
        index = socket.linkIndex(device);
        if (index < 0) {
          return false;
        }
        indexes.put(device, index);
      }
      try {
        NeighborMessage n = socket.neighbor(KernelDumps.AF_INET, index, address);
        return n != null && n.resolved();
      } catch (NetlinkError e) {
        if (e.errno() != ENODEV) {
          throw e;
        }
        indexes.remove(device); // the device was made again, with another index: name it again
      }
    }
    return false;
  }

  @Override
  public void close() {
    indexes.clear();
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }

  /** A dotted IPv4 literal's 4 bytes; null for anything else. */
  static byte[] ipv4(String literal) {
    String[] parts = literal.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
        return null;
      }
      int v = Integer.parseInt(parts[i]);
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }
}
