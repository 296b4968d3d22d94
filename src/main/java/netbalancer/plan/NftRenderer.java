package netbalancer.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import netbalancer.config.Config;
import netbalancer.observe.Family;
import netbalancer.observe.KernelObserver;

/**
 * Renders our one nft table. Marks are restored and set through verdict maps that jump to one
 * tiny chain per uplink: a constant AND/OR keeps every mark bit outside our mask (nft 1.0.6
 * cannot OR two registers), and the map keeps the per-packet cost flat at 64 uplinks.
 *
 * <p>The ruleset depends only on the set of uplinks and their addresses, never on their health,
 * so a failover does not touch nft at all.
 */
final class NftRenderer {
  static final String TABLE = "inet net_balancer";
  /** Unanswered SYNs kept at most: more than SYN_WATCH_RATE a second, each held 10 s, can put in it. */
  static final int SYN_SET_SIZE = 4096;
  /** New connections a second, per family, that passive evidence follows at most (a sample above). */
  static final int SYN_WATCH_RATE = 200;
  static final int SYN_WATCH_BURST = 20;

  private NftRenderer() {
  }

  static NftRuleset render(Config config, List<Uplink> uplinks) {
    return render(config, uplinks, PolicyPlan.NONE);
  }

  /**
   * With the policies' chain and its hooks: classification after the restore (only a connection
   * without an uplink gets there), the {@code main} bypass first in the NAT chain, before pinning
   * and SNAT. {@link PolicyPlan#NONE} adds nothing: the text is the one without policies.
   */
  static NftRuleset render(Config config, List<Uplink> uplinks, PolicyPlan policy) {
    if (uplinks.isEmpty()) {
      return NftRuleset.EMPTY;
    }
    String mask = IpCommands.hex(config.lbMarkMask());
    String keep = IpCommands.hex(~config.lbMarkMask() & 0xffffffffL);
    StringBuilder body = new StringBuilder();
    int rules = 0;
    List<Uplink> v4 = uplinks.stream().filter(Uplink::hasIpv4).toList();
    List<Uplink> v6 = uplinks.stream().filter(Uplink::hasIpv6).toList();
    // Passive evidence, one set per family (a set's key has one address type); a family without
    // uplinks has no set, so an IPv4-only host's ruleset is what it was. Only health checks read
    // the sets: without them, the set's add and delete would be per-connection work for nothing.
    List<Family> synWatch = new java.util.ArrayList<>();
    if (!v4.isEmpty() && config.healthCheckEnabled()) {
      synWatch.add(Family.INET);
    }
    if (!v6.isEmpty() && config.healthCheckEnabled()) {
      synWatch.add(Family.INET6);
    }
    for (Family f : synWatch) {
      String addr = f == Family.INET6 ? "ipv6_addr" : "ipv4_addr";
      body.append("\tset ").append(KernelObserver.synSet(f)).append(" {\n\t\ttype ").append(addr)
          .append(" . inet_service . ").append(addr).append(" . inet_service . ifname\n")
          .append("\t\tsize ").append(SYN_SET_SIZE).append("\n\t\tflags dynamic,timeout\n\t\ttimeout ")
          .append(KernelObserver.SYN_SET_TIMEOUT_SECONDS).append("s\n\t}\n");
    }

    body.append("\tmap uplink_mark {\n\t\ttype ifname : mark\n\t\telements = { ")
        .append(join(uplinks, u -> quote(u.name()) + " : " + mark(config, u))).append(" }\n\t}\n");
    for (Uplink u : uplinks) {
      body.append("\tcounter new_").append(u.index()).append(" { }\n");
    }
    String restore = "ct mark & " + mask + " vmap { "
        + join(uplinks, u -> mark(config, u) + " : jump restore_" + u.index()) + " }";

    // A packet that arrives on an uplink never needs a mark: it goes to this host or the LAN, by
    // the main table. Its connection, if new, is pinned to that uplink, so that replies (also
    // those of a port-forwarded LAN host) leave the way it came; then accept ends the chain. Every
    // other packet gets its connection's uplink as its mark, for the fwmark rules.
    body.append(chainHead("prerouting", "filter", "prerouting", "mangle"));
    body.append("\t\tiifname vmap { ")
        .append(join(uplinks, u -> quote(u.name()) + " : jump in_" + u.index())).append(" }\n");
    body.append("\t\t").append(restore).append("\n");
    rules += 2 + hooks(body, policy, "prerouting");
    body.append("\t}\n");

    body.append(chainHead("output", "route", "output", "mangle"));
    body.append("\t\t").append(restore).append("\n");
    rules += 1 + hooks(body, policy, "output");
    body.append("\t}\n");

    // Outbound connections are pinned and counted in the NAT chain: the kernel runs NAT chains
    // for a connection's first packet only, so no other packet pays for them. The uplink is the
    // one the routes chose for that packet (the multipath route, or a more specific main route).
    // Bytes per uplink come from the interfaces' own statistics: a per-packet counter cost
    // measurable throughput. Priority srcnat - 1: before any other NAT chain can bind the
    // connection, which would keep ours from running.
    body.append(chainHead("nat_postrouting", "nat", "postrouting", "srcnat - 1"));
    rules += hooks(body, policy, "nat_postrouting");
    for (Family f : synWatch) {
      // Passive evidence: each outbound TCP connection's first SYN enters a small set with its
      // uplink, and its first answer (SYN-ACK or RST, in_N below) takes it out again; what stays
      // is what no one answered, read in one small nft call, whatever the size of the
      // connection table. The key is the connection's original tuple, the same both ways; the
      // kernel's ct expression matches only connections of the family it names. At most
      // SYN_WATCH_RATE a second enter (a sample of a busy router's connections, every one of a
      // quiet one's): the element's allocation and free were the one ablation that resolved
      // (about 1 % of the connection rate); sampled, nft's time per connection fell from 7.2 to
      // 6.7 us (README, section 4), and a blackhole of every uplink cannot fill the set.
      body.append("\t\ttcp flags & (syn | ack) == syn oifname { ").append(join(f == Family.INET6 ? v6 : v4,
          u -> quote(u.name()))).append(" } limit rate ").append(SYN_WATCH_RATE).append("/second burst ")
          .append(SYN_WATCH_BURST).append(" packets add @").append(KernelObserver.synSet(f)).append(" { ")
          .append(synKey(f)).append(" . oifname }\n");
      rules += 1;
    }
    if (config.sessionAffinityEnabled()) {
      // Session affinity: the multipath route chose the uplink once; the ct mark keeps it.
      body.append("\t\tct mark & ").append(mask).append(" == 0 oifname vmap { ")
          .append(join(uplinks, u -> quote(u.name()) + " : jump out_" + u.index())).append(" }\n");
    } else {
      body.append("\t\tcounter name oifname map { ")
          .append(join(uplinks, u -> quote(u.name()) + " : \"new_" + u.index() + "\"")).append(" }\n");
    }
    for (String line : Translation6.sourceMapping(config, uplinks)) { // NPTv6 first: NAT ends the chain
      body.append("\t\t").append(line).append("\n");
      rules += 1;
    }
    if (config.consistentNatEnabled()) { // one lookup, however many uplinks
      if (!v4.isEmpty()) {
        body.append("\t\tsnat ").append(Family.INET.nftKeyword()).append(" to oifname map { ")
            .append(join(v4, u -> quote(u.name()) + " : " + u.address())).append(" }\n");
      }
      // NAT66: the IPv6 twin, to each uplink's IPv6 address (the snat map is per family).
      List<Uplink> dual = uplinks.stream().filter(Uplink::hasIpv6).toList();
      if (!dual.isEmpty() && Translation6.nat66(config)) {
        body.append("\t\tsnat ip6 to oifname map { ")
            .append(join(dual, u -> quote(u.name()) + " : " + u.ipv6().address())).append(" }\n");
        rules += 1;
      }
    } else {
      // The inet table's masquerade serves both families, unless IPv6 is to stay untranslated.
      body.append("\t\t").append(Translation6.nat66(config) ? "" : "meta nfproto ipv4 ").append("oifname { ")
          .append(join(uplinks, u -> quote(u.name()))).append(" } masquerade\n");
    }
    rules += config.consistentNatEnabled() && v4.isEmpty() ? 1 : 2;
    body.append("\t}\n");
    List<String> inbound = Translation6.destinationMapping(config, uplinks);
    if (!inbound.isEmpty()) {
      body.append(chainHead("nat_prerouting", "nat", "prerouting", "dstnat - 1"));
      inbound.forEach(line -> body.append("\t\t").append(line).append("\n"));
      body.append("\t}\n");
      rules += inbound.size();
    }
    for (Uplink u : uplinks) {
      String m = mark(config, u);
      body.append("\tchain restore_").append(u.index()).append(" {\n\t\tmeta mark set meta mark & ")
          .append(keep).append(" | ").append(m).append("\n\t}\n");
      body.append("\tchain in_").append(u.index()).append(" {\n\t\tct state new ct mark & ").append(mask)
          .append(" == 0 ct mark set ct mark & ").append(keep).append(" | ").append(m).append("\n");
      for (Family f : synWatch) { // one compare for every other packet; only a SYN-ACK or RST reaches the set
        if (f == Family.INET6 ? u.hasIpv6() : u.hasIpv4()) {
          body.append("\t\ttcp flags & (syn | rst) != 0 ct direction reply delete @").append(KernelObserver.synSet(f))
              .append(" { ").append(synKey(f)).append(" . iifname }\n");
          rules += 1;
        }
      }
      body.append("\t\taccept\n\t}\n");
      rules += 3; // restore, in (pin, accept)
      if (config.sessionAffinityEnabled()) {
        body.append("\tchain out_").append(u.index()).append(" {\n\t\tcounter name \"new_").append(u.index())
            .append("\" ct mark set ct mark & ").append(keep).append(" | ").append(m).append("\n\t}\n");
        rules += 1;
      }
    }

    if (!policy.nftDefinitions().isEmpty()) {
      body.append(policy.nftDefinitions());
      rules += policy.nftRuleCount() - policy.nftHooks().size();
    }

    String fingerprint = fingerprint(body.toString());
    String text = "table " + TABLE + " {\n\tset fingerprint {\n\t\ttype ifname\n\t\telements = { \""
        + fingerprint + "\" }\n\t}\n" + body + "}\n";
    return new NftRuleset(text, fingerprint, rules);
  }

  /** Appends the policies' rules for {@code chain}; returns how many. */
  private static int hooks(StringBuilder body, PolicyPlan policy, String chain) {
    List<String> lines = policy.hooks(chain);
    lines.forEach(l -> body.append("\t\t").append(l).append('\n'));
    return lines.size();
  }

  /** A connection's original tuple in {@code family}'s unanswered-SYN set. */
  private static String synKey(Family family) {
    String k = family.nftKeyword();
    return "ct original " + k + " saddr . ct original proto-src . ct original " + k + " daddr . ct original proto-dst";
  }

  private static String chainHead(String name, String type, String hook, String priority) {
    return "\tchain " + name + " {\n\t\ttype " + type + " hook " + hook + " priority " + priority
        + "; policy accept;\n";
  }

  private static String mark(Config config, Uplink u) {
    return IpCommands.hex(config.markFor(u.index()));
  }

  private static String quote(String name) {
    return '"' + name + '"'; // names are restricted to [A-Za-z0-9_.+-] by discovery
  }

  private static String join(List<Uplink> uplinks, Function<Uplink, String> f) {
    return uplinks.stream().map(f).collect(Collectors.joining(", "));
  }

  /** 15 characters: an nft ifname element holds at most 15. */
  private static String fingerprint(String body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "p" + HexFormat.of().formatHex(d).substring(0, 14);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
