package netbalancer.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import netbalancer.config.Policy.PortRange;
import netbalancer.config.Policy.Proto;

/**
 * One connection as {@code explain} is asked about it, and which policy takes it: the first rule
 * whose every condition holds, exactly as the nft chain decides (file order, first match wins).
 *
 * @param src   source address (a literal, never a name: nothing is resolved)
 * @param dst   destination address
 * @param proto ANY when not given (then only rules without proto and ports match)
 * @param sport null when not given
 * @param dport null when not given
 * @param iif   the LAN-side interface, or null (then rules with iif do not match)
 */
public record Flow(String src, String dst, Proto proto, Integer sport, Integer dport, String iif) {

  /** @throws ConfigException naming the option, the value and what is allowed */
  public Flow {
    List<String> errors = new ArrayList<>();
    for (String[] a : new String[][] {{"--src", src}, {"--dst", dst}}) {
      if (a[1] == null || a[1].contains("/") || PolicyParser.cidrProblem(a[1]) != null) {
        errors.add(a[0] + " '" + a[1] + "' is not an IPv4 or IPv6 address; allowed: one address, e.g. 192.0.2.10");
      }
    }
    for (Object[] p : new Object[][] {{"--sport", sport}, {"--dport", dport}}) {
      Integer port = (Integer) p[1];
      if (port != null && (port < 1 || port > 65535)) {
        errors.add(p[0] + " '" + port + "' is outside 1..65535");
      } else if (port != null && proto != Proto.TCP && proto != Proto.UDP) {
        errors.add(p[0] + " needs --proto tcp or udp");
      }
    }
    if (iif != null && !InterfaceNames.isValid(iif)) {
      errors.add("--iif '" + iif + "' is not an interface name; allowed: " + InterfaceNames.RULES);
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
  }

  /** The rule that takes this flow, or null (then it is balanced: LB_TABLE). */
  public Policy firstMatch(Policies policies) {
    return policies.rules().stream().filter(p -> matches(p.match())).findFirst().orElse(null);
  }

  boolean matches(Policy.Match m) {
    return (m.src().isEmpty() || m.src().stream().anyMatch(c -> contains(c, src)))
        && (m.dst().isEmpty() || m.dst().stream().anyMatch(c -> contains(c, dst)))
        && (m.proto() == Proto.ANY || m.proto() == proto)
        && (m.sport().isEmpty() || (sport != null && m.sport().stream().anyMatch(r -> in(r, sport))))
        && (m.dport().isEmpty() || (dport != null && m.dport().stream().anyMatch(r -> in(r, dport))))
        && (m.iif() == null || m.iif().equals(iif));
  }

  private static boolean in(PortRange r, int port) {
    return r.from() <= port && port <= r.to();
  }

  /** Whether validated {@code cidr} (ADDR or ADDR/LEN) holds validated address {@code addr}, same family. */
  static boolean contains(String cidr, String addr) {
    int slash = cidr.indexOf('/');
    byte[] net = raw(slash < 0 ? cidr : cidr.substring(0, slash));
    byte[] a = raw(addr);
    if (net.length != a.length) {
      return false;
    }
    int bits = a.length * 8;
    int len = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
    return new BigInteger(1, net).shiftRight(bits - len).equals(new BigInteger(1, a).shiftRight(bits - len));
  }

  private static byte[] raw(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress(); // a validated literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException("validated literal " + literal, e);
    }
  }
}
