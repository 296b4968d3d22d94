package netbalancer.observe;

import java.util.List;

/** One network interface as the kernel reports it. */
public record Link(String name, int ifindex, boolean adminUp, boolean carrier, boolean pointToPoint,
    String kind, List<Address> addresses) {

  public Link {
    addresses = List.copyOf(addresses);
  }

  /** Carrier and administratively up: packets can leave. */
  public boolean usable() {
    return adminUp && carrier;
  }
}
