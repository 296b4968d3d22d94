package netbalancer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import netbalancer.lab.Lab;

/**
 * The data planes of the balancers a user would run instead of net-balancer, rebuilt for a lab's
 * router from their published rule generators, for the same uplinks, so the bench can measure what
 * their rules cost a packet beside net-balancer's. Only the data plane: no health tracking, no
 * hotplug, every uplink up, weight 1 each (both peers' defaults). The rulesets are our own text,
 * written to produce what the generators produce for this configuration; each part names the
 * generator lines it follows (commits as stored in the public index the rebuild was read from).
 *
 * <p>mwan3 (OpenWrt package {@code net/mwan3}), generator {@code files/lib/mwan3/mwan3.sh} at
 * openwrt/packages 1f8f5e55 and {@code files/lib/mwan3/common.sh} at 034cdc23, with the mwan3
 * defaults {@code mmx_mask 0x3F00} and {@code last_resort unreachable}, one policy
 * {@code balanced} over the three uplinks (metric 1, weight 1) and one rule sending all IPv4
 * ({@code dest_ip 0.0.0.0/0}) to it. NAT is not mwan3's: OpenWrt's firewall masquerades the wan
 * zone, which {@link LabWays#plain} stands in for.
 *
 * <p>VyOS {@code load-balancing wan}, generator vyos/vyos-1x
 * {@code data/templates/load-balancing/nftables-wlb.j2} at 0c0ce426, its filter
 * {@code python/vyos/wanloadbalance.py} at 42552202 and the service that renders it and installs
 * routes and rules, {@code src/helpers/vyos-load-balancer.py} at 05e92d27; configuration:
 * {@code interface-health wanI nexthop GATEWAY} for each uplink, one {@code rule 10
 * inbound-interface lan0 interface wan1 wan2 wan3}.
 */
public final class PeerWays {
  /** mwan3's default mark mask (common.sh, {@code mwan3_init}: {@code config_get MMX_MASK globals mmx_mask '0x3F00'}). */
  static final int MWAN3_MASK = 0x3f00;
  /** VyOS's first mark and table are {@code mark_offset + 1} (vyos-load-balancer.py: {@code lb['mark_offset'] = 0xc8}). */
  static final int VYOS_MARK_OFFSET = 0xc8;
  /** mwan3's IPv4 test for a route's destination (mwan3.sh line 19, {@code IPv4_REGEX}; grep -E, so unanchored). */
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)");
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private PeerWays() {
  }

  /** The peers' ways, by the names the bench reports them under. */
  public enum Peer {
    MWAN3("mwan3 (OpenWrt) ruleset"), VYOS("VyOS `load-balancing wan` ruleset");

    private final String title;

    Peer(String title) {
      this.title = title;
    }

    public String title() {
      return title;
    }

    /** Routes the lab's router as this peer would. */
    public void apply(Lab lab) {
      switch (this) {
        case MWAN3 -> mwan3(lab);
        case VYOS -> vyos(lab);
      }
    }
  }

  /** mwan3's mark for interface id {@code id} ({@code mwan3_id2mask}: its bits spread into the mask's). */
  static int mwan3Mark(int id) {
    int result = 0;
    int bit = 0;
    for (int m = 0; m < 32; m++) {
      if ((MWAN3_MASK >> m & 1) == 1) {
        if ((id >> bit & 1) == 1) {
          result |= 1 << m;
        }
        bit++;
      }
    }
    return result;
  }

  private static String hex(int v) {
    return "0x" + Integer.toHexString(v);
  }

  /**
   * OpenWrt's mwan3 on the lab's router, over {@link LabWays#plain} (the firewall's masquerade):
   * the ipsets, the mangle chains through iptables-nft, the per-interface tables and the rules.
   * Replies coming in on an uplink other than the main table's first default route need loose
   * reverse-path filtering (the kernel checks their source without their mark and with the
   * outgoing interface as "iif", so mwan3's {@code iif} rules do not apply): under the lab's
   * strict default, every connection through wan2 or wan3 hangs in SYN_RECV.
   * {@link #looseReversePath} gives the uplinks what net-balancer gives them.
   */
  public static void mwan3(Lab lab) {
    LabWays.plain(lab);
    looseReversePath(lab);
    String ns = lab.routerNs();
    int n = lab.uplinkCount();
    List<String> main = lines(lab, "ip", "-4", "route", "list", "table", "main");

    // mwan3.sh mwan3_set_connected_ipv4, lines 150-185 (and mwan3_set_custom_ipset 131-147,
    // mwan3_set_dynamic_ipset 221-236): the
    // destinations mwan3 never balances: every IPv4 destination in `ip -4 route` (first word) and in
    // `ip -4 route list table 0` (second word), and 224.0.0.0/3. The custom set (rt_table_lookup)
    // is empty by default, the dynamic one a list:set.
    Set<String> connected = new LinkedHashSet<>();
    for (String line : main) {
      addIfIpv4(connected, line, 0);
    }
    for (String line : lines(lab, "ip", "-4", "route", "list", "table", "0")) {
      addIfIpv4(connected, line, 1);
    }
    StringBuilder sets = new StringBuilder("create mwan3_custom_ipv4 hash:net\ncreate mwan3_connected_ipv4 hash:net\n");
    connected.forEach(c -> sets.append("add mwan3_connected_ipv4 ").append(c).append('\n'));
    sets.append("add mwan3_connected_ipv4 224.0.0.0/3\ncreate mwan3_dynamic_ipv4 list:set\n");
    LabWays.check(lab.exec(ns, List.of("ipset", "restore"), sets.toString(), TIMEOUT), "ipset restore");

    String mask = hex(MWAN3_MASK);
    String unmarked = "-m mark --mark 0x0/" + mask;
    String defaultMark = hex(mwan3Mark(63)) + "/" + mask; // MMX_DEFAULT: all mask bits (63 = 2^6 - 1)
    List<String> chainsOfSets = List.of("mwan3_custom_ipv4", "mwan3_connected_ipv4", "mwan3_dynamic_ipv4");
    StringBuilder ipt = new StringBuilder("*mangle\n");
    List<String> chains = new ArrayList<>(List.of("mwan3_ifaces_in", "mwan3_rules", "mwan3_hook", "mwan3_policy_balanced"));
    chains.addAll(chainsOfSets);
    for (int i = 1; i <= n; i++) {
      chains.add("mwan3_iface_in_" + lab.uplinkName(i));
    }
    chains.forEach(c -> ipt.append(':').append(c).append(" - [0:0]\n"));
    // mwan3_set_general_iptables (lines 256-357), 274-283: a destination in one of the sets is
    // marked "default" (main table).
    for (String c : chainsOfSets) {
      ipt.append("-A ").append(c).append(" -m set --match-set ").append(c).append(" dst -j MARK --set-xmark ")
          .append(defaultMark).append('\n');
    }
    // lines 289-346, mwan3_hook: restore the connection's mark (315-317); only an unmarked
    // packet goes through the interface, set and user rules; save (331-332); then the sets again.
    ipt.append("-A mwan3_hook ").append(unmarked).append(" -j CONNMARK --restore-mark --nfmask ").append(mask)
        .append(" --ctmask ").append(mask).append('\n');
    ipt.append("-A mwan3_hook ").append(unmarked).append(" -j mwan3_ifaces_in\n");
    for (String c : chainsOfSets) {
      ipt.append("-A mwan3_hook ").append(unmarked).append(" -j ").append(c).append('\n');
    }
    ipt.append("-A mwan3_hook ").append(unmarked).append(" -j mwan3_rules\n");
    ipt.append("-A mwan3_hook -j CONNMARK --save-mark --nfmask ").append(mask).append(" --ctmask ").append(mask)
        .append('\n');
    for (String c : chainsOfSets) {
      ipt.append("-A mwan3_hook -m mark ! --mark ").append(defaultMark).append(" -j ").append(c).append('\n');
    }
    ipt.append("-A PREROUTING -j mwan3_hook\n-A OUTPUT -j mwan3_hook\n");
    // mwan3_create_iface_iptables (lines 359-418): what comes in on an uplink is marked with its id
    // (unless it comes from a destination in the sets).
    for (int i = 1; i <= n; i++) {
      String dev = lab.uplinkName(i);
      for (String c : chainsOfSets) {
        ipt.append("-A mwan3_iface_in_").append(dev).append(" -i ").append(dev).append(" -m set --match-set ")
            .append(c).append(" src ").append(unmarked).append(" -m comment --comment default -j MARK --set-xmark ")
            .append(defaultMark).append('\n');
      }
      ipt.append("-A mwan3_iface_in_").append(dev).append(" -i ").append(dev).append(' ').append(unmarked)
          .append(" -m comment --comment ").append(dev).append(" -j MARK --set-xmark ").append(hex(mwan3Mark(i)))
          .append('/').append(mask).append('\n');
      ipt.append("-A mwan3_ifaces_in ").append(unmarked).append(" -j mwan3_iface_in_").append(dev).append('\n');
    }
    // mwan3_create_policies_iptables (669-729) + mwan3_set_policy (574-667): the first member flushes
    // the last-resort rule and is appended unconditionally; each further member of the same metric
    // is inserted at the top with probability weight/total-so-far, written as mwan3 writes it
    // (three decimals, truncated): wan3 0.333, then wan2 0.500, then wan1 always: a third each.
    List<String> policy = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String dev = lab.uplinkName(i);
      String set = " -m comment --comment \"" + dev + " 1 " + i + "\" -j MARK --set-xmark " + hex(mwan3Mark(i)) + "/"
          + mask;
      if (i == 1) {
        policy.add("-A mwan3_policy_balanced " + unmarked + set);
      } else {
        int permille = 1000 / i;
        String p = permille >= 1000 ? "1" : String.format("0.%03d", permille);
        policy.add(0, "-A mwan3_policy_balanced " + unmarked + " -m statistic --mode random --probability " + p + set);
      }
    }
    policy.forEach(r -> ipt.append(r).append('\n'));
    // mwan3_set_user_iptables_rule: rule default_rule_v4 (proto all, dest_ip 0.0.0.0/0, use_policy balanced).
    ipt.append("-A mwan3_rules -p all -d 0.0.0.0/0 ").append(unmarked).append(" -j mwan3_policy_balanced\n");
    ipt.append("COMMIT\n");
    LabWays.check(lab.exec(ns, List.of("iptables-nft-restore", "-n"), ipt.toString(), TIMEOUT), "iptables-nft-restore");

    // mwan3_create_iface_route (lines 462-490): table id = main's routes but the other uplinks'
    // (their default routes included); mwan3_create_iface_rules (511-533) and
    // mwan3_set_general_rules (238-254): the rules.
    StringBuilder batch = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      String dev = lab.uplinkName(i);
      for (String route : main) {
        String routeDev = wordAfter(route, "dev");
        boolean otherUplink = false;
        for (int j = 1; j <= n; j++) {
          otherUplink |= j != i && lab.uplinkName(j).equals(routeDev);
        }
        if (!otherUplink) {
          batch.append("route add table ").append(i).append(' ').append(route.replace(" linkdown", "")).append('\n');
        }
      }
      String m = hex(mwan3Mark(i)) + "/" + mask;
      batch.append("rule add pref ").append(1000 + i).append(" iif ").append(dev).append(" lookup ").append(i).append('\n');
      batch.append("rule add pref ").append(2000 + i).append(" fwmark ").append(m).append(" lookup ").append(i).append('\n');
      batch.append("rule add pref ").append(3000 + i).append(" fwmark ").append(m).append(" unreachable\n");
    }
    // MM_BLACKHOLE = 61, MM_UNREACHABLE = 62 with a 6-bit mask (2254 with the old 0xff00 mask).
    batch.append("rule add pref 2061 fwmark ").append(hex(mwan3Mark(61))).append('/').append(mask).append(" blackhole\n");
    batch.append("rule add pref 2062 fwmark ").append(hex(mwan3Mark(62))).append('/').append(mask).append(" unreachable\n");
    LabWays.check(lab.exec(ns, List.of("ip", "-batch", "-"), batch.toString(), TIMEOUT), "ip -batch");
  }

  /**
   * VyOS's {@code load-balancing wan} on the lab's router: its nftables table, a table per uplink
   * and two rules per uplink, as its service installs them. VyOS leaves reverse-path filtering to
   * the administrator ({@code firewall global-options source-validation}); its rules route replies
   * by the main table, which strict filtering would refuse for all but the first uplink, so the
   * uplinks get {@link #looseReversePath}.
   */
  public static void vyos(Lab lab) {
    String ns = lab.routerNs();
    int n = lab.uplinkCount();
    StringBuilder nft = new StringBuilder("table ip vyos_wanloadbalance {\n");
    // nftables-wlb.j2 lines 7-15: SNAT per uplink by connection mark and outgoing interface.
    nft.append(" chain wlb_nat_postrouting {\n  type nat hook postrouting priority srcnat - 1; policy accept;\n");
    for (int i = 1; i <= n; i++) {
      nft.append("  ct mark ").append(hex(VYOS_MARK_OFFSET + i)).append(" oifname \"").append(lab.uplinkName(i))
          .append("\" counter snat to ").append(lab.uplinkAddress(i)).append('\n');
    }
    // nftables-wlb.j2 lines 17-36 with wanloadbalance.py nft_rule (lines 24-134): a new connection
    // from the rule's inbound interface picks an uplink's chain by numgen over the weight ranges;
    // every other packet from it takes its connection's mark.
    nft.append(" }\n chain wlb_mangle_prerouting {\n  type filter hook prerouting priority mangle; policy accept;\n");
    nft.append("  iifname \"").append(Lab.LAN_INTERFACE).append("\" ct state new counter numgen random mod ").append(n)
        .append(" vmap { ");
    // wlb_weight_interfaces (lines 136-159) sorts by weight and gives each a range. Its line 157,
    // `start = weight`, makes the ranges 0, 1, 1 for three weights of 1, which nft refuses ("File
    // exists": a key twice in the map), so no ruleset would load; the rebuild uses the contiguous
    // ranges the code evidently means: 0, 1, 2.
    for (int i = 1; i <= n; i++) {
      nft.append(i == 1 ? "" : ", ").append(i - 1).append(" : jump wlb_mangle_isp_").append(lab.uplinkName(i));
    }
    nft.append(" }\n  iifname \"").append(Lab.LAN_INTERFACE).append("\" counter meta mark set ct mark\n }\n");
    // lines 38-56: the output chain, empty without enable-local-traffic.
    nft.append(" chain wlb_mangle_output {\n  type filter hook output priority -150; policy accept;\n }\n");
    // lines 58-63: one chain per uplink marks the packet and its connection.
    for (int i = 1; i <= n; i++) {
      String mark = hex(VYOS_MARK_OFFSET + i);
      nft.append(" chain wlb_mangle_isp_").append(lab.uplinkName(i)).append(" {\n  meta mark set ").append(mark)
          .append(" ct mark set ").append(mark).append(" counter accept\n }\n");
    }
    nft.append("}\n");
    // vyos-load-balancer.py, __main__ (lines 234-278): per uplink, table mark_offset+index with its
    // default route (267),
    // a rule at that priority that lets main's more specific routes win (suppress_prefixlength 0),
    // and one 100 later into the table (269-272); then nftables_update (276) and
    // `ip route flush cache` (278).
    StringBuilder batch = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      int table = VYOS_MARK_OFFSET + i;
      batch.append("route replace table ").append(table).append(" default dev ").append(lab.uplinkName(i))
          .append(" via ").append(lab.gatewayAddress(i)).append('\n');
      batch.append("rule add fwmark ").append(hex(table)).append(" table main suppress_prefixlength 0 priority ")
          .append(table).append('\n');
      batch.append("rule add fwmark ").append(hex(table)).append(" table ").append(table).append(" priority ")
          .append(table + 100).append('\n');
    }
    LabWays.check(lab.exec(ns, List.of("ip", "-batch", "-"), batch.toString(), TIMEOUT), "ip -batch");
    LabWays.check(lab.exec(ns, List.of("nft", "-f", "-"), nft.toString(), TIMEOUT), "nft");
    looseReversePath(lab);
    LabWays.check(lab.exec(ns, "ip", "route", "flush", "cache"), "ip route flush cache");
  }

  /**
   * Loose reverse-path filtering (2) on every uplink, as net-balancer's plan sets it, so that the
   * router's replies through any uplink pass and the check costs each way the same per packet.
   */
  private static void looseReversePath(Lab lab) {
    List<String> argv = new ArrayList<>(List.of("sysctl", "-q", "-w"));
    for (int i = 1; i <= lab.uplinkCount(); i++) {
      argv.add("net.ipv4.conf." + lab.uplinkName(i) + ".rp_filter=2");
    }
    LabWays.check(lab.exec(lab.routerNs(), argv, null, TIMEOUT), "sysctl");
  }

  private static List<String> lines(Lab lab, String... argv) {
    var r = lab.exec(lab.routerNs(), argv);
    LabWays.check(r, String.join(" ", argv));
    return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static void addIfIpv4(Set<String> into, String line, int word) {
    String[] w = line.split("\\s+");
    if (w.length > word && IPV4.matcher(w[word]).find()) {
      into.add(w[word]);
    }
  }

  private static String wordAfter(String line, String key) {
    String[] w = line.split("\\s+");
    for (int i = 0; i + 1 < w.length; i++) {
      if (w[i].equals(key)) {
        return w[i + 1];
      }
    }
    return null;
  }
}
