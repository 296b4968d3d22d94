package netbalancer.health;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import netbalancer.log.Log;
import netbalancer.netlink.KernelDumps;
import netbalancer.netlink.NeighborMessage;
import netbalancer.netlink.NetlinkError;

/**
 * Resolved gateways by asking the kernel for each gateway's own entry (RTM_GETNEIGH, a get: a
 * hash lookup whatever the table holds), where the whole ARP table as text grew with the LAN.
 * Where there is no netlink socket (no JNA) or no such get (Linux before 5.0) it says so once and
 * reads {@code fallback} from then on; any other error of a get, {@code fallback} that once.
 */
final class NeighborGets implements GatewayNudger.Resolved {
  private static final int EOPNOTSUPP = 95;
  private final GatewayNudger.Resolved fallback;
  private boolean fallen;

  NeighborGets(GatewayNudger.Resolved fallback) {
    this.fallback = fallback;
  }

  @Override
  public Set<String> of(List<GatewayNudger.Gateway> gateways) {
    if (fallen) {
      return fallback.of(gateways);
    }
    Set<String> out = new HashSet<>();
    try (KernelDumps k = KernelDumps.open()) {
      for (GatewayNudger.Gateway g : gateways) {
        byte[] address = ipv4(g.gateway());
        int index = address == null ? -1 : k.linkIndex(g.device());
        if (index < 0) {
          continue; // not IPv4 (no ARP), or the device is gone: nothing to nudge through
        }
        NeighborMessage n = k.neighbor(KernelDumps.AF_INET, index, address);
        if (n != null && n.resolved()) {
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
      fallen = true;
      Log.info("neighbor: no netlink socket (%s); reading /proc/net/arp", e.getMessage());
    }
    return fallback.of(gateways);
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
