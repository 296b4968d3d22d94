package netbalancer.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import netbalancer.config.Policy.Action;
import netbalancer.config.Policy.Kind;
import netbalancer.config.Policy.Match;
import netbalancer.config.Policy.Member;
import netbalancer.config.Policy.PortRange;
import netbalancer.config.Policy.Proto;

/**
 * Reads the policies file. The syntax is pinned (scripts and checks rely on it):
 *
 * <pre>
 * # NAME    MATCH ...                                   -> ACTION
 * voip      proto udp dport 5060,10000-20000            -> wan1 > wan2
 * guests    src 192.0.2.128/25                          -> wan3 else unreachable
 * </pre>
 *
 * <p>Every bad line is reported (all of them, in one pass) with its line number, the offending
 * word and what is allowed; nothing of a file with an error is used. Words are split on
 * whitespace; spaces around ',', '=' and '>' are tolerated so that "wan1=3, wan2" reads as
 * written.
 */
final class PolicyParser {
  static final List<String> MATCH_KEYWORDS = List.of("src", "dst", "proto", "sport", "dport", "iif");
  static final List<String> ACTION_WORDS = List.of("balanced", "main", "unreachable", "blackhole");
  /** Far beyond any real file; keeps the kernel's tables and marks bounded. */
  static final int MAX_RULES = 1000;
  /** A week: mwan3 users set hours at most; an nft set timeout takes far more. */
  static final int MAX_STICKY_SECONDS = 604800;
  static final int MAX_NAME = 32;

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
  private static final Pattern V4 = Pattern.compile(
      "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final Pattern COMMA = Pattern.compile("\\s*,\\s*");
  private static final Pattern EQUALS = Pattern.compile("\\s*=\\s*");
  private static final Pattern TIER = Pattern.compile("\\s*>\\s*");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  static final String SYNTAX = "NAME [src ADDR[/LEN],..] [dst ADDR[/LEN],..] [proto tcp|udp|icmp|any]"
      + " [sport PORTS] [dport PORTS] [iif IFACE] -> ACTION [else ACTION] [sticky SECONDS]";
  static final String ACTIONS = "uplinks with optional weights and tiers (wan1=3,wan2 > lte0), balanced, main,"
      + " unreachable or blackhole";

  private final String source;
  private final List<String> errors = new ArrayList<>();

  private PolicyParser(String source) {
    this.source = source;
  }

  /** The rules of {@code text}. @throws ConfigException listing every bad line */
  static Policies parse(String text, String source) {
    PolicyParser p = new PolicyParser(source);
    List<Policy> rules = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Policy rule = p.line(lines[i], i + 1);
      if (rule == null) {
        continue;
      }
      Integer earlier = names.putIfAbsent(rule.name(), rule.line());
      if (earlier != null) {
        p.error(rule.line(), "duplicate rule name '" + rule.name() + "' (first on line " + earlier
            + "); allowed: a name used once per file");
        continue;
      }
      rules.add(rule);
    }
    if (rules.size() > MAX_RULES) {
      p.errors.add(source + ": " + rules.size() + " rules; allowed: at most " + MAX_RULES);
    }
    if (!p.errors.isEmpty()) {
      throw new ConfigException(p.errors);
    }
    return new Policies(source, rules, shadowWarnings(rules, source));
  }

  private void error(int line, String message) {
    errors.add(source + ":" + line + ": " + message);
  }

  /** Thrown inside one line: its first problem is reported and the line is skipped. */
  private static final class Bad extends Exception {
    private static final long serialVersionUID = 1L;

    Bad(String message) {
      super(message, null, false, false);
    }
  }

  private Policy line(String raw, int number) {
    int hash = raw.indexOf('#');
    String text = (hash < 0 ? raw : raw.substring(0, hash)).strip();
    if (text.isEmpty()) {
      return null;
    }
    try {
      return rule(text, number);
    } catch (Bad e) {
      error(number, e.getMessage());
      return null;
    }
  }

  private Policy rule(String text, int number) throws Bad {
    int arrow = text.indexOf("->");
    if (arrow < 0) {
      throw new Bad("no '->' in \"" + text + "\"; expected " + SYNTAX);
    }
    List<String> left = words(COMMA.matcher(text.substring(0, arrow)).replaceAll(","));
    if (left.isEmpty()) {
      throw new Bad("no rule name before '->'; expected " + SYNTAX);
    }
    String name = left.get(0);
    if (MATCH_KEYWORDS.contains(name)) {
      throw new Bad("'" + name + "' is a match keyword where the rule's NAME belongs; expected " + SYNTAX);
    }
    if (!NAME.matcher(name).matches() || name.length() > MAX_NAME) {
      throw new Bad("bad rule name '" + name + "'; allowed: a letter then letters, digits, '_', '.' or '-', at most "
          + MAX_NAME + " characters");
    }
    Match match = match(left.subList(1, left.size()));
    String right = text.substring(arrow + 2);
    right = COMMA.matcher(right).replaceAll(",");
    right = EQUALS.matcher(right).replaceAll("=");
    right = TIER.matcher(right).replaceAll(" > ");
    return tail(name, number, match, words(right));
  }

  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : SPACE.split(text.strip())) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  private Match match(List<String> words) throws Bad {
    Set<String> seen = new LinkedHashSet<>();
    List<String> src = List.of();
    List<String> dst = List.of();
    Proto proto = null;
    List<PortRange> sport = List.of();
    List<PortRange> dport = List.of();
    String iif = null;
    for (int i = 0; i < words.size(); i += 2) {
      String keyword = words.get(i);
      if (!MATCH_KEYWORDS.contains(keyword)) {
        String near = Spelling.nearest(keyword, MATCH_KEYWORDS);
        throw new Bad("unknown keyword '" + keyword + "'" + (near == null ? "" : " (did you mean " + near + "?)")
            + "; allowed before '->': " + String.join(", ", MATCH_KEYWORDS));
      }
      if (!seen.add(keyword)) {
        throw new Bad("'" + keyword + "' given twice; allowed: each match keyword once (list values with ',')");
      }
      if (i + 1 >= words.size()) {
        throw new Bad("'" + keyword + "' without a value; allowed: " + allowedValue(keyword));
      }
      String value = words.get(i + 1);
      switch (keyword) {
        case "src" -> src = addresses(keyword, value);
        case "dst" -> dst = addresses(keyword, value);
        case "proto" -> proto = proto(value);
        case "sport" -> sport = ports(keyword, value);
        case "dport" -> dport = ports(keyword, value);
        default -> iif = iif(value);
      }
    }
    if (proto == null) {
      proto = Proto.ANY;
    }
    if ((!sport.isEmpty() || !dport.isEmpty()) && proto != Proto.TCP && proto != Proto.UDP) {
      String which = !sport.isEmpty() ? "sport" : "dport";
      throw new Bad("'" + which + "' with " + (seen.contains("proto") ? "proto " + proto.word() : "no proto")
          + "; allowed: ports only with proto tcp or proto udp");
    }
    if (!src.isEmpty() && !dst.isEmpty() && family(src) != 0 && family(src) + family(dst) == 10) {
      throw new Bad("src " + String.join(",", src) + " and dst " + String.join(",", dst)
          + " are of different address families and never match; allowed: addresses of one family in a rule");
    }
    return new Match(src, dst, proto, sport, dport, iif);
  }

  /** 4 or 6 when every entry is of that family, 0 when mixed. */
  private static int family(List<String> cidrs) {
    boolean v6 = cidrs.get(0).contains(":");
    return cidrs.stream().allMatch(c -> c.contains(":") == v6) ? (v6 ? 6 : 4) : 0;
  }

  private static String allowedValue(String keyword) {
    return switch (keyword) {
      case "src", "dst" -> "addresses or networks, comma-separated (192.0.2.0/24,198.51.100.7 or 2001:db8::/32)";
      case "proto" -> "tcp, udp, icmp or any";
      case "sport", "dport" -> "ports 1..65535 and ranges LOW-HIGH, comma-separated (53,5060,10000-20000)";
      default -> "an interface name (" + InterfaceNames.RULES + ")";
    };
  }

  private List<String> addresses(String keyword, String value) throws Bad {
    List<String> out = new ArrayList<>();
    for (String item : value.split(",", -1)) {
      String problem = cidrProblem(item);
      if (problem != null) {
        throw new Bad(keyword + " '" + item + "' " + problem + "; allowed: " + allowedValue(keyword));
      }
      if (out.contains(item)) {
        throw new Bad(keyword + " '" + item + "' listed twice; allowed: " + allowedValue(keyword));
      }
      out.add(item);
    }
    return out;
  }

  /** Why {@code text} is not ADDR or ADDR/LEN with the host bits clear, or null. */
  static String cidrProblem(String text) {
    if (text.isEmpty()) {
      return "is empty";
    }
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    boolean v4 = V4.matcher(addr).matches();
    if (!v4 && !(addr.contains(":") && IpLiterals.isValid(addr))) {
      return "is not an IPv4 or IPv6 address";
    }
    int max = v4 ? 32 : 128;
    if (slash < 0) {
      return null;
    }
    String len = text.substring(slash + 1);
    if (!DIGITS.matcher(len).matches() || Integer.parseInt(len) > max) {
      return "has prefix length '" + len + "', not 0.." + max;
    }
    int prefix = Integer.parseInt(len);
    BigInteger bits = bits(addr);
    BigInteger network = bits.shiftRight(max - prefix).shiftLeft(max - prefix);
    if (!network.equals(bits)) {
      return "has host bits set (did you mean " + render(network, v4) + "/" + prefix + "?)";
    }
    return null;
  }

  private static BigInteger bits(String addr) {
    try {
      return new BigInteger(1, InetAddress.getByName(addr).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("validated literal " + addr, e);
    }
  }

  private static String render(BigInteger value, boolean v4) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[v4 ? 4 : 16];
    for (int i = 0; i < Math.min(raw.length, out.length); i++) {
      out[out.length - 1 - i] = raw[raw.length - 1 - i];
    }
    try {
      return InetAddress.getByAddress(out).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Proto proto(String value) throws Bad {
    for (Proto p : Proto.values()) {
      if (p.word().equals(value)) {
        return p;
      }
    }
    throw new Bad("unknown proto '" + value + "'; allowed: " + allowedValue("proto"));
  }

  private static List<PortRange> ports(String keyword, String value) throws Bad {
    List<PortRange> out = new ArrayList<>();
    for (String item : value.split(",", -1)) {
      int dash = item.indexOf('-');
      String a = dash < 0 ? item : item.substring(0, dash);
      String b = dash < 0 ? item : item.substring(dash + 1);
      if (!DIGITS.matcher(a).matches() || !DIGITS.matcher(b).matches()) {
        throw new Bad(keyword + " '" + item + "' is not a port or range; allowed: " + allowedValue(keyword));
      }
      int from = Integer.parseInt(a);
      int to = Integer.parseInt(b);
      if (from < 1 || to < 1 || from > 65535 || to > 65535) {
        throw new Bad(keyword + " '" + item + "' is outside 1..65535; allowed: " + allowedValue(keyword));
      }
      if (from > to) {
        throw new Bad(keyword + " '" + item + "' is a reversed range (did you mean " + to + "-" + from
            + "?); allowed: " + allowedValue(keyword));
      }
      out.add(new PortRange(from, to));
    }
    return out;
  }

  private static String iif(String value) throws Bad {
    String problem = InterfaceNames.problem(value);
    if (problem != null || value.contains(",")) {
      throw new Bad("iif '" + value + "' is not one interface name (" + (value.contains(",") ? "a list" : problem)
          + "); allowed: " + allowedValue("iif"));
    }
    return value;
  }

  private Policy tail(String name, int number, Match match, List<String> words) throws Bad {
    int elseAt = words.indexOf("else");
    int stickyAt = words.indexOf("sticky");
    int actionEnd = firstOf(words.size(), elseAt, stickyAt);
    Action action = action(words.subList(0, actionEnd), "");
    Action orElse = Action.BALANCED;
    if (elseAt >= 0) {
      if (words.lastIndexOf("else") != elseAt) {
        throw new Bad("'else' given twice; allowed: one last resort per rule");
      }
      if (stickyAt >= 0 && stickyAt < elseAt) {
        throw new Bad("'else' after 'sticky'; expected " + SYNTAX);
      }
      if (action.kind() != Kind.UPLINKS && action.kind() != Kind.BALANCED) {
        throw new Bad("'else' after '" + action + "', which never runs out of uplinks; allowed: 'else' after"
            + " uplinks or balanced");
      }
      orElse = action(words.subList(elseAt + 1, stickyAt < 0 ? words.size() : stickyAt), "else ");
    }
    Duration sticky = null;
    if (stickyAt >= 0) {
      if (words.lastIndexOf("sticky") != stickyAt) {
        throw new Bad("'sticky' given twice; allowed: sticky SECONDS once, at the end");
      }
      if (action.kind() != Kind.UPLINKS && action.kind() != Kind.BALANCED) {
        throw new Bad("'sticky' with '" + action + "', which takes no uplink; allowed: sticky with uplinks or"
            + " balanced");
      }
      String allowed = "sticky SECONDS with SECONDS 1.." + MAX_STICKY_SECONDS + ", last on the line";
      if (stickyAt + 1 >= words.size()) {
        throw new Bad("'sticky' without seconds; allowed: " + allowed);
      }
      String seconds = words.get(stickyAt + 1);
      if (!DIGITS.matcher(seconds).matches() || Integer.parseInt(seconds) < 1
          || Integer.parseInt(seconds) > MAX_STICKY_SECONDS) {
        throw new Bad("sticky '" + seconds + "' is not a number of seconds; allowed: " + allowed);
      }
      if (stickyAt + 2 < words.size()) {
        throw new Bad("'" + words.get(stickyAt + 2) + "' after sticky " + seconds + "; allowed: " + allowed);
      }
      sticky = Duration.ofSeconds(Integer.parseInt(seconds));
    }
    return new Policy(name, number, match, action, orElse, sticky);
  }

  private static int firstOf(int none, int... positions) {
    int best = none;
    for (int p : positions) {
      if (p >= 0 && p < best) {
        best = p;
      }
    }
    return best;
  }

  private static Action action(List<String> words, String what) throws Bad {
    if (words.isEmpty()) {
      throw new Bad("empty " + what + "action; allowed: " + ACTIONS);
    }
    if (words.size() == 1 && ACTION_WORDS.contains(words.get(0))) {
      return Action.of(Kind.valueOf(words.get(0).toUpperCase(Locale.ROOT)));
    }
    List<List<Member>> tiers = new ArrayList<>();
    Set<String> named = new LinkedHashSet<>();
    List<String> tier = new ArrayList<>();
    for (int i = 0; i <= words.size(); i++) {
      String w = i < words.size() ? words.get(i) : ">";
      if (!w.equals(">")) {
        tier.add(w);
        continue;
      }
      if (tier.isEmpty()) {
        throw new Bad("empty tier in " + what + "action '" + String.join(" ", words) + "'; allowed: " + ACTIONS);
      }
      if (tier.size() > 1) {
        throw new Bad("'" + tier.get(1) + "' follows '" + tier.get(0) + "' without ',' or '>' in " + what
            + "action; allowed: " + ACTIONS);
      }
      tiers.add(members(tier.get(0), named, what));
      tier = new ArrayList<>();
    }
    return new Action(Kind.UPLINKS, tiers);
  }

  private static List<Member> members(String text, Set<String> named, String what) throws Bad {
    List<Member> out = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      int eq = item.indexOf('=');
      String iface = eq < 0 ? item : item.substring(0, eq);
      if (iface.isEmpty()) {
        throw new Bad("empty uplink in " + what + "action '" + text + "'; allowed: " + ACTIONS);
      }
      if (ACTION_WORDS.contains(iface)) {
        throw new Bad("'" + iface + "' combined with other words in " + what + "action; allowed: '" + iface
            + "' alone, or " + ACTIONS);
      }
      String near = Spelling.nearest(iface, ACTION_WORDS);
      boolean looksLikeWord = near != null && iface.chars().noneMatch(Character::isDigit)
          && Spelling.distance(iface.toUpperCase(Locale.ROOT), near.toUpperCase(Locale.ROOT)) <= 2;
      if (InterfaceNames.problem(iface) != null || looksLikeWord) {
        throw new Bad("unknown action word '" + iface + "'" + (near == null ? "" : " (did you mean " + near + "?)")
            + "; allowed: " + ACTIONS + "; an uplink is an interface name (" + InterfaceNames.RULES + ")");
      }
      int weight = 1;
      if (eq >= 0) {
        String w = item.substring(eq + 1);
        if (!DIGITS.matcher(w).matches() || Integer.parseInt(w) < 1 || Integer.parseInt(w) > 256) {
          throw new Bad("weight '" + w + "' of " + iface + " in " + what + "action; allowed: a weight 1..256"
              + " (NAME=WEIGHT; without it, 1)");
        }
        weight = Integer.parseInt(w);
      }
      if (!named.add(iface)) {
        throw new Bad("uplink " + iface + " named twice in " + what + "action; allowed: each uplink once");
      }
      out.add(new Member(iface, weight));
    }
    return out;
  }

  // ---- shadowing: a rule that an earlier one matches wholly never matches anything

  private static List<String> shadowWarnings(List<Policy> rules, String source) {
    List<String> out = new ArrayList<>();
    for (int j = 0; j < rules.size(); j++) {
      for (int i = 0; i < j; i++) {
        if (covers(rules.get(i).match(), rules.get(j).match())) {
          out.add(source + ":" + rules.get(j).line() + ": rule '" + rules.get(j).name() + "' never matches: rule '"
              + rules.get(i).name() + "' (line " + rules.get(i).line() + ") comes first and matches all its"
              + " connections");
          break;
        }
      }
    }
    return out;
  }

  /** Whether every connection {@code b} matches is matched by {@code a} (conservative: may say no wrongly). */
  static boolean covers(Match a, Match b) {
    return coversAddresses(a.src(), b.src()) && coversAddresses(a.dst(), b.dst())
        && (a.proto() == Proto.ANY || a.proto() == b.proto())
        && coversPorts(a.sport(), b.sport()) && coversPorts(a.dport(), b.dport())
        && (a.iif() == null || a.iif().equals(b.iif()));
  }

  private static boolean coversPorts(List<PortRange> a, List<PortRange> b) {
    if (a.isEmpty()) {
      return true;
    }
    return !b.isEmpty() && b.stream().allMatch(r -> a.stream().anyMatch(o -> o.contains(r)));
  }

  private static boolean coversAddresses(List<String> a, List<String> b) {
    if (a.isEmpty()) {
      return true;
    }
    return !b.isEmpty() && b.stream().allMatch(n -> a.stream().anyMatch(o -> within(n, o)));
  }

  /** Whether network {@code inner} lies inside network {@code outer}. */
  static boolean within(String inner, String outer) {
    boolean v6 = inner.contains(":");
    if (v6 != outer.contains(":")) {
      return false;
    }
    int max = v6 ? 128 : 32;
    int innerLen = prefixLength(inner, max);
    int outerLen = prefixLength(outer, max);
    if (outerLen > innerLen) {
      return false;
    }
    BigInteger in = bits(address(inner)).shiftRight(max - outerLen);
    BigInteger out = bits(address(outer)).shiftRight(max - outerLen);
    return in.equals(out);
  }

  private static String address(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }

  private static int prefixLength(String cidr, int max) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? max : Integer.parseInt(cidr.substring(slash + 1));
  }
}
