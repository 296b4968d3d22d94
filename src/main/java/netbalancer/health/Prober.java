package netbalancer.health;

import java.time.Duration;
import netbalancer.config.ProbeMethod;
import netbalancer.system.CommandRunner;

/**
 * Tests one uplink's path to one target. Implementations bind to {@code sourceAddress}: the data
 * plane's {@code from ADDR lookup TABLE} rule then sends the probe out of that uplink whatever
 * the balancing does (also when it is drained or down, and when uplinks share a gateway).
 *
 * <p>Must return within about {@code timeout} and never throw for network errors; the monitor
 * still treats an exception as a failure.
 */
@FunctionalInterface
public interface Prober {
  ProbeResult probe(String sourceAddress, String target, int port, Duration timeout);

  /** The prober HEALTH_PROBE_METHOD asks for. */
  static Prober forMethod(ProbeMethod method, CommandRunner runner) {
    return switch (method) {
      case TCP -> new TcpProber();
      case ICMP -> new IcmpProber(runner);
    };
  }
}
