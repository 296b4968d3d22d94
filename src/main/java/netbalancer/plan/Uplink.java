package netbalancer.plan;

import java.util.List;
import netbalancer.observe.Family;

/**
 * One uplink as discovered: its stable index (which fixes its table and mark for as long as it
 * exists, so pinned connections keep their meaning), its address, its gateway (null on a
 * point-to-point link) and the connected prefixes copied into its own table.
 */
public record Uplink(String name, int index, Family family, String address, String gateway,
    List<String> connected, boolean carrier) {

  public Uplink {
    connected = List.copyOf(connected);
  }

  public boolean pointToPoint() {
    return gateway == null;
  }
}
