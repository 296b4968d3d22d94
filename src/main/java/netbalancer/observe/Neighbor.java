package netbalancer.observe;

import java.util.List;

/** An ARP/NDP entry; {@code states} as the kernel names them (REACHABLE, STALE, FAILED, …). */
public record Neighbor(String address, String dev, List<String> states) {

  public Neighbor {
    states = List.copyOf(states);
  }

  /** The kernel gave up resolving this neighbor. */
  public boolean failed() {
    return states.contains("FAILED");
  }

  /** Resolution is under way: normal for a moment, a failure if it lasts. */
  public boolean incomplete() {
    return states.contains("INCOMPLETE");
  }
}
