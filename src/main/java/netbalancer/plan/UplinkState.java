package netbalancer.plan;

import java.util.Locale;

/** What the balancer makes of an uplink. Only {@link #UP} and {@link #DEGRADED} take new connections. */
public enum UplinkState {
  UP, DEGRADED, DRAINING, DOWN, HOLD_DOWN;

  /** The lower-case word shown in status, metrics and hooks ({@code hold-down}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Takes new connections: degraded (probes lost below the threshold) still does. */
  public boolean eligible() {
    return this == UP || this == DEGRADED;
  }

  public static UplinkState fromWireName(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
