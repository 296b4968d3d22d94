package netbalancer.health;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.system.CommandRunner;

/**
 * An ICMP echo with iputils {@code ping}, which needs privileges Java's raw sockets lack:
 * {@code ping -n -c 1 -W <seconds> -I <source address> <target>} ({@code ping -6 …} for an IPv6 target). Binding with -I to the address
 * (not the device) makes the {@code from ADDR} rule pick the uplink, as for TCP probes.
 */
public final class IcmpProber implements Prober {
  private static final Pattern RTT = Pattern.compile("time[=<]\\s*([0-9]+(?:\\.[0-9]+)?)\\s*ms");
  // ping's own -W ends it; this only guards against a ping that hangs.
  private static final Duration GRACE = Duration.ofSeconds(2);

  private final CommandRunner runner;

  public IcmpProber(CommandRunner runner) {
    this.runner = runner;
  }

  @Override
  public ProbeResult probe(String sourceAddress, String target, int port, Duration timeout) {
    // Whole seconds: older iputils reject a fractional -W.
    long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
    // -6 for an IPv6 target (bound then to the uplink's IPv6 address), so no ping guesses the family.
    List<String> argv = target.indexOf(':') >= 0
        ? List.of("ping", "-6", "-n", "-c", "1", "-W", Long.toString(seconds), "-I", sourceAddress, target)
        : List.of("ping", "-n", "-c", "1", "-W", Long.toString(seconds), "-I", sourceAddress, target);
    CommandRunner.Result r = runner.run(argv, null, Duration.ofSeconds(seconds).plus(GRACE));
    return parse(r, seconds);
  }

  static ProbeResult parse(CommandRunner.Result r, long timeoutSeconds) {
    String out = r.stdout() == null ? "" : r.stdout();
    if (r.exitCode() == 0) {
      Matcher m = RTT.matcher(out);
      if (m.find()) {
        long nanos = new BigDecimal(m.group(1)).movePointRight(6).longValue();
        return ProbeResult.success(Duration.ofNanos(nanos), "echo reply");
      }
      return ProbeResult.failure("ping succeeded but printed no time=");
    }
    if (r.exitCode() == 1) {
      // 1: no reply. An ICMP error (e.g. "From 198.18.0.1 … Destination Host Unreachable") is a failure,
      // silence a timeout.
      for (String line : out.split("\n")) {
        if (line.startsWith("From ")) {
          return ProbeResult.failure(line.trim());
        }
      }
      return ProbeResult.timeout("no echo reply within " + timeoutSeconds + " s");
    }
    if (r.exitCode() == 124) {
      return ProbeResult.timeout("ping did not end: " + r.stderr());
    }
    String err = r.stderr() == null || r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().trim();
    return ProbeResult.failure("ping: " + err);
  }
}
