package netbalancer.lab;

import static netbalancer.lab.Lab.ISP_CUSTOMER_IF;

import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * The faults a lab makes, all on the ISP side (the router under test is never touched, except
 * to forget a gateway's neighbor entry): carrier loss, a dead upstream, random loss, one blocked
 * address, a gateway that stops answering ARP. Each is one small script through the lab's
 * {@link LabShell}, so unit tests read the exact commands.
 */
final class LabFaults {
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  private final LabShell shell;
  private final LabPlan plan;
  private final IntFunction<String> ispNs;
  private final String routerNs;

  LabFaults(LabShell shell, LabPlan plan, IntFunction<String> ispNs, String routerNs) {
    this.shell = shell;
    this.plan = plan;
    this.ispNs = ispNs;
    this.routerNs = routerNs;
  }

  /** Takes the ISP end of uplink i down: the router's {@code wanI} loses carrier (NO-CARRIER). */
  void carrierDown(int i) {
    shell.ip(ispNs.apply(i), "link", "set", "dev", ISP_CUSTOMER_IF, "down");
  }

  void carrierUp(int i) {
    shell.ip(ispNs.apply(i), "link", "set", "dev", ISP_CUSTOMER_IF, "up");
  }

  /** ISP i drops everything it would forward, both ways; the link, ARP and its own address still answer. */
  void blackhole(int i, boolean on) {
    shell.nft(ispNs.apply(i), "flush chain ip nblab blackhole\n" + (on ? "add rule ip nblab blackhole drop\n" : ""));
  }

  /** ISP i drops {@code percent} of forwarded packets at random (each direction); 0 heals. */
  void loss(int i, int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("loss percent must be 0..100, not " + percent);
    }
    // nft takes "mod 100 < N" only for N up to 99: all loss is a plain drop
    String rule = percent == 100 ? "drop" : "numgen random mod 100 < " + percent + " drop";
    shell.nft(ispNs.apply(i), "flush chain ip nblab loss\n"
        + (percent == 0 ? "" : "add rule ip nblab loss " + rule + "\n"));
  }

  /** ISP i drops traffic to and from one address behind it (say, one health-probe target). */
  void blockTarget(int i, String address, boolean on) {
    checkIpv4(address);
    String element = " element ip nblab blocked { " + address + " }\n";
    // add-then-delete makes unblocking an address that is not blocked a no-op, not an error
    shell.nft(ispNs.apply(i), "add" + element + (on ? "" : "delete" + element));
  }

  /**
   * ISP i stops answering ARP for its gateway address (its side of the link goes NOARP) and the
   * router forgets the neighbor, so the router's next packets find the gateway unresolvable.
   */
  void gatewayNeighborLost(int i, boolean lost) {
    LabPlan.Uplink u = plan.uplink(i);
    if (u.pointToPoint()) {
      throw new IllegalStateException("uplink " + i + " is point-to-point: it has no gateway neighbor");
    }
    shell.ip(ispNs.apply(i), "link", "set", "dev", ISP_CUSTOMER_IF, "arp", lost ? "off" : "on");
    shell.ip(ispNs.apply(i), "neigh", "flush", "dev", ISP_CUSTOMER_IF);
    shell.ip(routerNs, "neigh", "flush", "dev", u.name());
  }

  /** Heals every fault on every uplink: carrier up, no drops, no blocked targets, ARP on. */
  void clearFaults() {
    for (LabPlan.Uplink u : plan.uplinks()) {
      carrierUp(u.index());
      shell.nft(ispNs.apply(u.index()), "flush chain ip nblab blackhole\nflush chain ip nblab loss\n"
          + "flush set ip nblab blocked\n");
      if (!u.pointToPoint()) {
        shell.ip(ispNs.apply(u.index()), "link", "set", "dev", ISP_CUSTOMER_IF, "arp", "on");
      }
    }
  }

  private static void checkIpv4(String address) {
    var m = IPV4.matcher(address == null ? "" : address);
    boolean ok = m.matches();
    for (int g = 1; ok && g <= 4; g++) {
      ok = Integer.parseInt(m.group(g)) <= 255;
    }
    if (!ok) {
      throw new IllegalArgumentException("not an IPv4 address: " + address);
    }
  }
}
