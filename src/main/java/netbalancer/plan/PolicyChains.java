package netbalancer.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import netbalancer.config.Policy;
import netbalancer.config.Policy.Match;
import netbalancer.config.Policy.PortRange;
import netbalancer.config.Policy.Proto;
import netbalancer.observe.Family;

/**
 * The {@code policies} chain: it sends a connection's first packet to the chain of the first
 * policy in file order that matches it, in as few lookups as first-match order allows. A plain
 * walk costs a new connection one rule per policy (100 rules cost about 9 % of a new
 * connection's cost in the bench); two steps cut that down.
 *
 * <p>By protocol: {@code meta l4proto vmap} sends a packet to its protocol's chain ({@code
 * policies_tcp}, {@code policies_udp}), which holds that protocol's rules and the rules without a
 * protocol, in file order, none testing the protocol again; a packet of any other protocol stays
 * in {@code policies}, which holds the rest (the rules without a protocol, the ICMP ones). A TCP
 * connection thus never walks the UDP rules.
 *
 * <p>By shape: rules that test the same fields (say {@code ip daddr . th dport}) become one
 * verdict map keyed by those fields' concatenation, one lookup for all of them. A rule joins a
 * map that stands earlier in the chain only when neither the map's rules nor any rule between
 * can match a packet it matches: such a packet cannot exist, so first match decides as in the
 * file. A rule that overlaps one in between starts a map (or stays a rule) of its own after it.
 * The elements of a map thus never overlap, as nft's interval maps require.
 */
final class PolicyChains {
  /** A rule whose lists multiply to more elements than this stays a rule of its own (anonymous sets). */
  static final int MAX_ELEMENTS = 1024;
  /**
   * The protocols with a chain of their own, in the order of {@code meta l4proto vmap}; ICMP
   * rules are few and stay in {@code policies}, testing their protocol.
   */
  private static final Map<String, String> PROTOCOL_CHAINS = protocolChains();

  private PolicyChains() {
  }

  private static Map<String, String> protocolChains() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("tcp", "_tcp");
    m.put("udp", "_udp");
    return m;
  }

  /**
   * One policy's match for one family ({@code family} null: both, when it names no address), a
   * field empty or null when not tested; {@code proto} is nft's l4proto word (tcp, udp, icmp,
   * ipv6-icmp) or null.
   */
  record Selector(Family family, String iif, List<String> src, List<String> dst, String proto,
      List<PortRange> sport, List<PortRange> dport) {

    Selector {
      src = List.copyOf(src);
      dst = List.copyOf(dst);
      sport = List.copyOf(sport);
      dport = List.copyOf(dport);
    }

    /** One selector per address family the rule can match (one when it names no address). */
    static List<Selector> of(Match m) {
      List<Selector> out = new ArrayList<>();
      boolean anyAddress = !m.src().isEmpty() || !m.dst().isEmpty();
      for (Family f : Family.values()) {
        List<String> src = ofFamily(m.src(), f);
        List<String> dst = ofFamily(m.dst(), f);
        if (anyAddress && ((!m.src().isEmpty() && src.isEmpty()) || (!m.dst().isEmpty() && dst.isEmpty()))) {
          continue; // this family cannot match
        }
        String proto = m.proto() == Proto.ICMP ? (f == Family.INET ? "icmp" : "ipv6-icmp")
            : m.proto() == Proto.ANY ? null : m.proto().word();
        if (!anyAddress && m.proto() != Proto.ICMP) { // family-free: one rule for both
          out.add(new Selector(null, m.iif(), src, dst, proto, m.sport(), m.dport()));
          return out;
        }
        out.add(new Selector(f, m.iif(), src, dst, proto, m.sport(), m.dport()));
      }
      return out;
    }

    /** The same without its protocol: in the protocol's own chain, every packet is of it. */
    Selector withoutProto() {
      return new Selector(family, iif, src, dst, null, sport, dport);
    }

    /**
     * The fields it tests, in key order: nft's keyword, the items as the rule lists them, and as a
     * map's elements take them (a map refuses elements that overlap, so those are made disjoint).
     * The rule's text, a map's key and its elements all follow from this one list.
     */
    private List<Field> fields() {
      List<Field> f = new ArrayList<>();
      if (iif != null) {
        List<String> name = List.of("\"" + iif + "\""); // validated: [A-Za-z0-9._+-] only
        f.add(new Field("iifname", name, name));
      }
      if (!src.isEmpty()) {
        f.add(new Field(addressFamily().nftKeyword() + " saddr", src, disjointNetworks(src)));
      }
      if (!dst.isEmpty()) {
        f.add(new Field(addressFamily().nftKeyword() + " daddr", dst, disjointNetworks(dst)));
      }
      if (proto != null) {
        f.add(new Field("meta l4proto", List.of(proto), List.of(proto)));
      }
      if (!sport.isEmpty()) {
        f.add(new Field("th sport", words(sport), words(disjointPorts(sport))));
      }
      if (!dport.isEmpty()) {
        f.add(new Field("th dport", words(dport), words(disjointPorts(dport))));
      }
      return f;
    }

    /** The match as nft words. */
    String text() {
      return fields().stream().map(f -> f.key() + " " + set(f.items())).collect(Collectors.joining(" "));
    }

    /** The family its addresses are of, or null when it names none. */
    private Family addressFamily() {
      return !src.isEmpty() ? Family.of(src.get(0)) : !dst.isEmpty() ? Family.of(dst.get(0)) : null;
    }

    /** The fields a map of its shape is keyed by, in key order. */
    List<String> shape() {
      return fields().stream().map(Field::key).toList();
    }

    /**
     * Whether some packet matches both (exact per field: the fields are independent). Addresses
     * of different families never meet; a field one of them does not test meets everything.
     */
    boolean overlaps(Selector o) {
      Family a = addressFamily();
      Family b = o.addressFamily();
      return (iif == null || o.iif == null || iif.equals(o.iif))
          && (a == null || b == null || a == b)
          && (proto == null || o.proto == null || proto.equals(o.proto))
          && networksMeet(src, o.src) && networksMeet(dst, o.dst)
          && portsMeet(sport, o.sport) && portsMeet(dport, o.dport);
    }

    /** The map elements (key only) of its match: every combination of its fields' items. */
    List<String> elements() {
      List<String> out = List.of("");
      for (Field field : fields()) {
        List<String> next = new ArrayList<>();
        for (String prefix : out) {
          for (String item : field.mapItems()) {
            next.add(prefix.isEmpty() ? item : prefix + " . " + item);
          }
        }
        out = next;
      }
      return out;
    }

    /** How many elements it would add to a map (the product of its lists' lengths). */
    long elementCount() {
      return (long) Math.max(1, src.size()) * Math.max(1, dst.size()) * Math.max(1, sport.size())
          * Math.max(1, dport.size());
    }
  }

  /** A selector and the chain its packets go to: the policy's own one, named in comments. */
  record Target(Selector selector, String chain, String policy) {
  }

  /** nft text and how many rules it holds. */
  record Rendered(String text, int rules) {
  }

  /**
   * The {@code policies} chain ({@code name}) and one chain per protocol some selector names.
   *
   * @param targets  in file order
   * @param lastRule the rule that ends each of them (counting what no policy matched)
   */
  static Rendered render(String name, List<Target> targets, String lastRule) {
    Map<String, List<List<Target>>> chains = chains(targets);
    StringBuilder sb = new StringBuilder();
    int rules = 0;
    for (Map.Entry<String, List<List<Target>>> c : chains.entrySet()) {
      List<String> lines = new ArrayList<>();
      if (c.getKey().isEmpty() && chains.size() > 1) {
        lines.add("meta l4proto vmap { " + chains.keySet().stream().filter(p -> !p.isEmpty())
            .map(p -> p + " : goto " + name + PROTOCOL_CHAINS.get(p)).collect(Collectors.joining(", ")) + " }");
      }
      lines.addAll(lines(c.getValue()));
      lines.add(lastRule);
      rules += lines.size();
      sb.append("\tchain ").append(name).append(c.getKey().isEmpty() ? "" : PROTOCOL_CHAINS.get(c.getKey()))
          .append(" {\n");
      lines.forEach(l -> sb.append("\t\t").append(l).append('\n'));
      sb.append("\t}\n");
    }
    return new Rendered(sb.toString(), rules);
  }

  /**
   * Each chain's groups in chain order, by the protocol whose packets it takes: "" for {@code
   * policies} itself (every other protocol) first, then each protocol some target names.
   */
  static Map<String, List<List<Target>>> chains(List<Target> targets) {
    List<String> protocols = PROTOCOL_CHAINS.keySet().stream()
        .filter(p -> targets.stream().anyMatch(t -> p.equals(t.selector().proto()))).toList();
    Map<String, List<List<Target>>> out = new LinkedHashMap<>();
    out.put("", merge(targets.stream()
        .filter(t -> t.selector().proto() == null || !protocols.contains(t.selector().proto())).toList()));
    for (String p : protocols) {
      out.put(p, merge(targets.stream()
          .filter(t -> t.selector().proto() == null || p.equals(t.selector().proto()))
          .map(t -> new Target(t.selector().withoutProto(), t.chain(), t.policy())).toList()));
    }
    return out;
  }

  /**
   * The targets of one chain in groups, in chain order: each group one map (or, alone, one
   * rule). A target joins the earliest group of its shape that neither it nor any later group
   * overlaps; one that cannot be a map element (no field, too many elements) stays alone.
   */
  static List<List<Target>> merge(List<Target> targets) {
    List<List<Target>> groups = new ArrayList<>();
    for (Target t : targets) {
      int into = -1;
      if (mergeable(t.selector())) {
        for (int g = groups.size() - 1; g >= 0; g--) {
          List<Target> group = groups.get(g);
          if (group.stream().anyMatch(o -> o.selector().overlaps(t.selector()))) {
            break; // a packet both match must go to the earlier one: t may not move before it
          }
          if (mergeable(group.get(0).selector()) && group.get(0).selector().shape().equals(t.selector().shape())) {
            into = g;
          }
        }
      }
      if (into < 0) {
        groups.add(new ArrayList<>(List.of(t)));
      } else {
        groups.get(into).add(t);
      }
    }
    return groups;
  }

  /** One tested field: its nft keyword, its items in a rule, and as a map's elements. */
  private record Field(String key, List<String> items, List<String> mapItems) {
  }

  private static List<String> words(List<PortRange> ports) {
    return ports.stream().map(Object::toString).toList();
  }

  private static boolean mergeable(Selector s) {
    return !s.shape().isEmpty() && s.elementCount() <= MAX_ELEMENTS;
  }

  /** nft rules of the groups. */
  private static List<String> lines(List<List<Target>> groups) {
    List<String> out = new ArrayList<>();
    for (List<Target> group : groups) {
      if (group.size() == 1) {
        Target t = group.get(0);
        String match = t.selector().text();
        out.add((match.isEmpty() ? "" : match + " ") + "goto " + t.chain() + " comment \"" + t.policy() + "\"");
        continue;
      }
      List<String> elements = new ArrayList<>();
      for (Target t : group) {
        t.selector().elements().forEach(e -> elements.add(e + " comment \"" + t.policy() + "\" : goto " + t.chain()));
      }
      out.add(String.join(" . ", group.get(0).selector().shape()) + " vmap { " + String.join(", ", elements) + " }");
    }
    return out;
  }

  private static boolean networksMeet(List<String> a, List<String> b) {
    return a.isEmpty() || b.isEmpty()
        || a.stream().anyMatch(x -> b.stream().anyMatch(y -> Policy.within(x, y) || Policy.within(y, x)));
  }

  private static boolean portsMeet(List<PortRange> a, List<PortRange> b) {
    return a.isEmpty() || b.isEmpty() || a.stream().anyMatch(x -> b.stream().anyMatch(x::overlaps));
  }

  /** The networks without those inside another listed one: a map refuses elements that overlap. */
  private static List<String> disjointNetworks(List<String> nets) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nets.size(); i++) {
      String n = nets.get(i);
      boolean inside = false;
      for (int j = 0; j < nets.size() && !inside; j++) {
        // the same network written twice (2001:db8:: and 2001:0db8::) keeps its first spelling
        inside = j != i && Policy.within(n, nets.get(j)) && (j < i || !Policy.within(nets.get(j), n));
      }
      if (!inside) {
        out.add(n);
      }
    }
    return out;
  }

  /** The ranges with overlapping (and adjacent) ones joined, ascending: a map refuses elements that overlap. */
  private static List<PortRange> disjointPorts(List<PortRange> ports) {
    List<PortRange> sorted = ports.stream().sorted(java.util.Comparator.comparingInt(PortRange::from)).toList();
    List<PortRange> out = new ArrayList<>();
    for (PortRange r : sorted) {
      PortRange last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r.from() <= last.to() + 1) {
        out.set(out.size() - 1, new PortRange(last.from(), Math.max(last.to(), r.to())));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  private static List<String> ofFamily(List<String> cidrs, Family f) {
    return cidrs.stream().filter(c -> Family.of(c) == f).toList();
  }

  static String set(List<String> items) {
    return items.size() == 1 ? items.get(0) : items.stream().collect(Collectors.joining(", ", "{ ", " }"));
  }
}
