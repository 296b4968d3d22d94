package netbalancer.daemon;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code ip -N monitor neigh}, read once: the address, the device and the NUD state
 * the entry is in. The daemon asks it whether an uplink's gateway is failing or back.
 */
record NeighborEvent(String address, String device, Nud state) {
  /** The kernel's neighbor (NUD) states as iproute2 prints them. */
  enum Nud {
    REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT, NOARP, NONE
  }

  /** Address, device, and a NUD state at the end; "Deleted" and "miss" prefixes are not part of it. */
  private static final Pattern LINE = Pattern.compile(
      "^(?:Deleted |miss )*(\\S+) dev (\\S+) .*\\b(REACHABLE|STALE|DELAY|PROBE|FAILED|INCOMPLETE|PERMANENT|NOARP|NONE)\\s*$");

  NeighborEvent {
    if (address == null || device == null || state == null) {
      throw new IllegalArgumentException("a neighbor event needs address, device and state: " + address + " "
          + device + " " + state);
    }
  }

  /** The event a monitor line describes, or empty when the line is not a neighbor event. */
  static Optional<NeighborEvent> parse(String line) {
    Matcher m = LINE.matcher(line);
    return m.matches() ? Optional.of(new NeighborEvent(m.group(1), m.group(2), Nud.valueOf(m.group(3))))
        : Optional.empty();
  }

  /** The neighbor stopped answering (or never did): a gateway in this state is a failing uplink. */
  boolean failing() {
    return state == Nud.FAILED || state == Nud.INCOMPLETE;
  }

  /** Whether this is the entry for {@code gateway} on {@code device}. */
  boolean isFor(String gateway, String device) {
    return address.equals(gateway) && this.device.equals(device);
  }
}
