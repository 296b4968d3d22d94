package netbalancer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netbalancer.system.CommandRunner;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/**
 * The ways the data-plane comparisons route a lab's router without net-balancer, and the iperf3
 * stream they measure. One place, so the bench and the tools in bench/tools compare the same
 * baselines the same way.
 */
public final class LabWays {
  private static final int IPERF_PORT = 5201;
  private static final String PLAIN_TABLE = "bench_plain";

  private LabWays() {
  }

  /** The lab's router as it is without a balancer: its main-table default routes and one masquerade rule. */
  public static void plain(Lab lab) {
    check(lab.exec(lab.routerNs(), List.of("nft", "-f", "-"), "table ip " + PLAIN_TABLE + " {\n chain postrouting {\n"
        + "  type nat hook postrouting priority srcnat; policy accept;\n"
        + "  oifname != \"" + Lab.LAN_INTERFACE + "\" masquerade\n }\n}\n", Duration.ofSeconds(10)), "nft");
  }

  /**
   * The IPv6 twin of {@link #plain}, for a dual-stack lab: its main-table IPv6 default routes and
   * one NAT66 masquerade rule (LAN sources become the uplink's own address).
   */
  public static void plain6(Lab lab) {
    check(lab.exec(lab.routerNs(), List.of("nft", "-f", "-"), "table ip6 " + PLAIN_TABLE + " {\n chain postrouting {\n"
        + "  type nat hook postrouting priority srcnat; policy accept;\n"
        + "  oifname != \"" + Lab.LAN_INTERFACE + "\" masquerade\n }\n}\n", Duration.ofSeconds(10)), "nft");
  }

  /**
   * Policy routing switched on (on top of {@link #plain}) with one rule that looks up main as the
   * kernel's own rule does: what any balancer built on ip rules pays before a rule of its own.
   */
  public static void policyRoutingOn(Lab lab) {
    check(lab.exec(lab.routerNs(), "ip", "rule", "add", "pref", "32765", "lookup", "main"), "ip rule");
  }

  /** Starts the iperf3 server in the lab's internet namespace and returns once it listens. */
  public static LabProcess startIperfServer(Lab lab) {
    // --forceflush: into a pipe, iperf3 would hold its "listening" line in a buffer
    LabProcess p = lab.start(lab.inetNs(), "iperf3", "-s", "-p", Integer.toString(IPERF_PORT), "--forceflush");
    Duration wait = Duration.ofSeconds(10);
    for (String l = p.readLine(wait); !l.contains("listening"); l = p.readLine(wait)) {
      // the banner comes first
    }
    return p;
  }

  /** What one iperf3 stream moved: the receiver's byte count and rate. */
  public record Stream(long bytes, double bitsPerSecond) {
  }

  /**
   * One iperf3 TCP stream from the LAN host to the internet host for {@code seconds};
   * {@code cpus} ("client,server") pins both ends, or null.
   */
  public static Stream iperf(Lab lab, int seconds, String cpus) throws IOException {
    return iperf(lab, Lab.SERVER_ADDRESS, seconds, cpus);
  }

  /** {@link #iperf(Lab, int, String)} to {@code server} (say, {@link Lab#SERVER_ADDRESS6}). */
  public static Stream iperf(Lab lab, String server, int seconds, String cpus) throws IOException {
    List<String> argv = new ArrayList<>(List.of("iperf3", "-c", server, "-p",
        Integer.toString(IPERF_PORT), "-t", Integer.toString(seconds), "-J"));
    if (cpus != null) {
      argv.addAll(List.of("-A", cpus));
    }
    CommandRunner.Result r = lab.exec(lab.clientNs(), argv, null, Duration.ofSeconds(seconds + 30L));
    check(r, "iperf3");
    JsonNode received = new ObjectMapper().readTree(r.stdout()).path("end").path("sum_received");
    if (!received.path("bytes").isNumber() || !received.path("bits_per_second").isNumber()) {
      throw new IllegalStateException("iperf3 gave no throughput: " + r.stdout().strip());
    }
    return new Stream(received.get("bytes").asLong(), received.get("bits_per_second").asDouble());
  }

  static void check(CommandRunner.Result r, String what) {
    if (!r.ok()) {
      throw new IllegalStateException(what + " failed: " + r.stderr().strip());
    }
  }
}
