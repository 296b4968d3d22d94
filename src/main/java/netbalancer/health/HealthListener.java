package netbalancer.health;

import netbalancer.plan.UplinkState;

/**
 * Told of every health state change, one at a time and in the order they happened, on a monitor
 * thread or on the thread whose call caused it. The daemon re-plans here; it may call the
 * monitor back (e.g. {@link HealthMonitor#snapshot()}) but should not block for long.
 */
@FunctionalInterface
public interface HealthListener {
  void onChange(String uplink, UplinkState oldState, UplinkState newState, String reason);
}
