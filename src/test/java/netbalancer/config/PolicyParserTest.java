package netbalancer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import netbalancer.config.Policy.Action;
import netbalancer.config.Policy.Kind;
import netbalancer.config.Policy.Member;
import netbalancer.config.Policy.PortRange;
import netbalancer.config.Policy.Proto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyParserTest {
  /** The issue's example, verbatim. */
  static final String EXAMPLE = """
      # NAME    MATCH ...                                   -> ACTION
      voip      proto udp dport 5060,10000-20000            -> wan1 > wan2
      guests    src 192.0.2.128/25                          -> wan3 else unreachable
      office    dst 203.0.113.0/24                          -> main
      banking   dst 198.51.100.0/24                         -> balanced sticky 600
      backup    src 192.0.2.20 proto tcp dport 22,873       -> wan2=3,wan3=1 > wan1
      """;

  @Test
  void theIssuesExampleReadsAsWritten() {
    Policies p = PolicyLoader.parse(EXAMPLE, "policies.conf");
    assertEquals(List.of("voip", "guests", "office", "banking", "backup"),
        p.rules().stream().map(Policy::name).toList());
    assertEquals(List.of(), p.warnings());

    Policy voip = p.byName("voip");
    assertEquals(2, voip.line());
    assertEquals(Proto.UDP, voip.match().proto());
    assertEquals(List.of(new PortRange(5060, 5060), new PortRange(10000, 20000)), voip.match().dport());
    assertEquals(List.of(List.of(new Member("wan1", 1)), List.of(new Member("wan2", 1))), voip.action().tiers());
    assertEquals(Action.BALANCED, voip.orElse());
    assertNull(voip.sticky());

    Policy guests = p.byName("guests");
    assertEquals(List.of("192.0.2.128/25"), guests.match().src());
    assertEquals(Action.of(Kind.UNREACHABLE), guests.orElse());
    assertEquals(Proto.ANY, guests.match().proto());

    assertEquals(Kind.MAIN, p.byName("office").action().kind());
    assertEquals(List.of("203.0.113.0/24"), p.byName("office").match().dst());

    Policy banking = p.byName("banking");
    assertEquals(Kind.BALANCED, banking.action().kind());
    assertEquals(Duration.ofSeconds(600), banking.sticky());

    Policy backup = p.byName("backup");
    assertEquals(List.of("192.0.2.20"), backup.match().src());
    assertEquals(Proto.TCP, backup.match().proto());
    assertEquals(List.of(List.of(new Member("wan2", 3), new Member("wan3", 1)), List.of(new Member("wan1", 1))),
        backup.action().tiers());
    assertEquals("wan2=3,wan3 > wan1", backup.action().toString());
  }

  @Test
  void blankLinesCommentsAndSpacesAroundSeparatorsAreTolerated() {
    Policies p = PolicyLoader.parse("\n  # only a comment\n\nall -> wan1 = 2, wan2>lte0   # trailing\n"
        + "web proto tcp dport 80, 443 ->balanced\n", "f");
    assertEquals("wan1=2,wan2 > lte0", p.byName("all").action().toString());
    assertEquals(4, p.byName("all").line());
    assertTrue(p.byName("all").match().matchesEverything());
    assertEquals(List.of(new PortRange(80, 80), new PortRange(443, 443)), p.byName("web").match().dport());
  }

  @Test
  void anEmptyFileHasNoRules() {
    assertTrue(PolicyLoader.parse("", "f").isEmpty());
    assertTrue(PolicyLoader.parse("# nothing\n\n", "f").isEmpty());
  }

  @Test
  void iifAndIpv6AndElseWithUplinks() {
    Policies p = PolicyLoader.parse("lan2 iif lan0.20 src 2001:db8::/32 proto icmp -> wan1 else wan2=2,wan3 sticky 30",
        "f");
    Policy r = p.byName("lan2");
    assertEquals("lan0.20", r.match().iif());
    assertEquals(List.of("2001:db8::/32"), r.match().src());
    assertEquals("wan2=2,wan3", r.orElse().toString());
    assertEquals(Duration.ofSeconds(30), r.sticky());
  }

  /** Each kind of bad line: its number, the offending word and what is allowed. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown keyword          | r prot udp -> wan1                 | unknown keyword 'prot' (did you mean proto?); allowed before '->': src, dst, proto, sport, dport, iif
      bad address              | r src 192.0.2.300 -> wan1          | src '192.0.2.300' is not an IPv4 or IPv6 address; allowed: addresses or networks
      bad prefix length        | r dst 192.0.2.0/33 -> wan1         | dst '192.0.2.0/33' has prefix length '33', not 0..32; allowed:
      host bits set            | r src 192.0.2.129/25 -> wan1       | src '192.0.2.129/25' has host bits set (did you mean 192.0.2.128/25?); allowed:
      host name                | r dst example.com -> wan1          | dst 'example.com' is not an IPv4 or IPv6 address
      port without tcp/udp     | r dport 53 -> wan1                 | 'dport' with no proto; allowed: ports only with proto tcp or proto udp
      port with icmp           | r proto icmp sport 5 -> wan1       | 'sport' with proto icmp; allowed: ports only with proto tcp or proto udp
      reversed range           | r proto tcp dport 900-80 -> wan1   | dport '900-80' is a reversed range (did you mean 80-900?); allowed: ports 1..65535
      port above 65535         | r proto udp dport 70000 -> wan1    | dport '70000' is outside 1..65535; allowed: ports 1..65535
      port zero                | r proto udp sport 0 -> wan1        | sport '0' is outside 1..65535
      not a port               | r proto udp dport http -> wan1     | dport 'http' is not a port or range; allowed: ports 1..65535
      empty action             | r src 192.0.2.1 ->                 | empty action; allowed: uplinks with optional weights and tiers
      empty else action        | r -> wan1 else                     | empty else action; allowed: uplinks
      unknown action word      | r -> balance                       | unknown action word 'balance' (did you mean balanced?); allowed: uplinks with optional weights
      action word not a name   | r -> wan1:3                        | unknown action word 'wan1:3'; allowed: uplinks
      keyword combined         | r -> main,wan1                     | 'main' combined with other words in action; allowed: 'main' alone
      sticky without seconds   | r -> wan1,wan2 sticky              | 'sticky' without seconds; allowed: sticky SECONDS with SECONDS 1..604800
      sticky zero              | r -> wan1,wan2 sticky 0            | sticky '0' is not a number of seconds; allowed: sticky SECONDS
      sticky on main           | r -> main sticky 60                | 'sticky' with 'main', which takes no uplink; allowed: sticky with uplinks or balanced
      weight 0                 | r -> wan1=0,wan2                   | weight '0' of wan1 in action; allowed: a weight 1..256
      weight 257               | r -> wan1=257                      | weight '257' of wan1 in action; allowed: a weight 1..256
      bad iif name             | r iif lan*0 -> wan1                | iif 'lan*0' is not one interface name (character U+002A '*' is not allowed); allowed: an interface name
      iif list                 | r iif lan0,lan1 -> wan1            | iif 'lan0,lan1' is not one interface name (a list)
      bad uplink name          | r -> wan1 > wan-with-a-very-long-name | unknown action word 'wan-with-a-very-long-name'; allowed
      duplicate keyword        | r src 192.0.2.1 src 192.0.2.2 -> wan1 | 'src' given twice; allowed: each match keyword once (list values with ',')
      keyword without value    | r proto -> wan1                    | 'proto' without a value; allowed: tcp, udp, icmp or any
      unknown proto            | r proto sctp -> wan1               | unknown proto 'sctp'; allowed: tcp, udp, icmp or any
      no arrow                 | r src 192.0.2.1 wan1               | no '->' in "r src 192.0.2.1 wan1"; expected NAME [src
      name missing             | src 192.0.2.1 -> wan1              | 'src' is a match keyword where the rule's NAME belongs; expected NAME
      bad name                 | 9lives -> wan1                     | bad rule name '9lives'; allowed: a letter then letters
      empty tier               | r -> wan1 > > wan2                 | empty tier in action 'wan1 > > wan2'; allowed: uplinks
      missing comma            | r -> wan1 wan2                     | 'wan2' follows 'wan1' without ',' or '>' in action; allowed:
      empty uplink             | r -> wan1,                         | empty uplink in action 'wan1,'; allowed:
      uplink twice             | r -> wan1 > wan2,wan1              | uplink wan1 named twice in action; allowed: each uplink once
      else twice               | r -> wan1 else wan2 else main      | 'else' given twice; allowed: one last resort per rule
      else after main          | r -> unreachable else wan1         | 'else' after 'unreachable', which never runs out of uplinks
      words after sticky       | r -> wan1 sticky 60 else main      | 'else' after 'sticky'
      trailing word            | r -> wan1 else main sticky 60 now  | 'now' after sticky 60; allowed: sticky SECONDS
      families never match     | r src 192.0.2.0/24 dst 2001:db8::/32 -> wan1 | are of different address families and never match
      address twice            | r dst 192.0.2.1,192.0.2.1 -> wan1  | dst '192.0.2.1' listed twice
      """)
  void aBadLineIsRefusedWithItsNumberTheWordAndWhatIsAllowed(String kind, String line, String expected) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PolicyLoader.parse("# first line\nok -> wan1\n" + line + "\n", "/etc/p.conf"));
    assertEquals(1, e.errors().size(), e.errors().toString());
    String message = e.errors().get(0);
    assertTrue(message.startsWith("/etc/p.conf:3: "), message);
    assertTrue(message.contains(expected), kind + ": " + message);
  }

  @Test
  void aTrailingWordAfterStickyIsNamed() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PolicyLoader.parse("r -> wan1 sticky 60 now", "f"));
    assertEquals(List.of("f:1: 'now' after sticky 60; allowed: sticky SECONDS with SECONDS 1..604800, last on the"
        + " line"), e.errors());
  }

  @Test
  void aDuplicateNameNamesBothLines() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PolicyLoader.parse("a -> wan1\nb -> wan2\n\na proto tcp -> wan3\n", "f"));
    assertEquals(List.of("f:4: duplicate rule name 'a' (first on line 1); allowed: a name used once per file"),
        e.errors());
  }

  @Test
  void everyBadLineIsReportedInOnePass() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PolicyLoader.parse("a prot tcp -> wan1\nfine -> wan1\nb -> \nc -> wan1=0\n", "f"));
    assertEquals(3, e.errors().size(), e.getMessage());
    assertTrue(e.errors().get(0).startsWith("f:1: "));
    assertTrue(e.errors().get(1).startsWith("f:3: "));
    assertTrue(e.errors().get(2).startsWith("f:4: "));
  }

  @Test
  void anUplinkThatIsNotThereNowIsValid() {
    // USB and LTE uplinks come and go: the file names interfaces, not what exists at load time.
    assertEquals(List.of("usb0", "wwan0"), PolicyLoader.parse("r -> usb0 > wwan0", "f").byName("r").action().uplinks());
  }

  @Test
  void aShadowedRuleGetsAWarning() {
    Policies p = PolicyLoader.parse("""
        lan      src 192.0.2.0/24                        -> wan1
        host     src 192.0.2.20 proto tcp                -> wan2
        web      proto tcp dport 80-443                  -> wan2
        https    dst 198.51.100.0/24 proto tcp dport 443 -> wan3
        dns      proto udp dport 53                      -> wan3
        other    src 198.51.100.0/24                     -> wan3
        rest                                             -> balanced
        after    iif lan0                                -> wan1
        """, "f");
    assertEquals(List.of(
        "f:2: rule 'host' never matches: rule 'lan' (line 1) comes first and matches all its connections",
        "f:4: rule 'https' never matches: rule 'web' (line 3) comes first and matches all its connections",
        "f:8: rule 'after' never matches: rule 'rest' (line 7) comes first and matches all its connections"),
        p.warnings());
  }

  @Test
  void networksContainment() {
    assertTrue(PolicyParser.within("192.0.2.20", "192.0.2.0/24"));
    assertTrue(PolicyParser.within("192.0.2.128/25", "192.0.2.0/24"));
    assertFalse(PolicyParser.within("192.0.2.0/24", "192.0.2.128/25"));
    assertFalse(PolicyParser.within("198.51.100.0/24", "192.0.2.0/24"));
    assertTrue(PolicyParser.within("2001:db8:1::/48", "2001:db8::/32"));
    assertFalse(PolicyParser.within("2001:db8::/32", "0.0.0.0/0"));
    assertTrue(PolicyParser.within("203.0.113.7", "0.0.0.0/0"));
  }

  @Test
  void tooManyRulesAreRefused() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i <= PolicyParser.MAX_RULES; i++) {
      sb.append("r").append(i).append(" proto tcp dport ").append(i + 1).append(" -> wan1\n");
    }
    ConfigException e = assertThrows(ConfigException.class, () -> PolicyLoader.parse(sb.toString(), "f"));
    assertEquals(List.of("f: 1001 rules; allowed: at most 1000"), e.errors());
  }

  @Test
  void theDefaultFileMayBeMissingAnotherMayNot(@TempDir Path dir) throws IOException {
    assertEquals("/etc/net-balancer/policies.conf", Config.defaults().policiesFile().toString());
    if (!Files.exists(Config.defaults().policiesFile())) { // this host has none: the usual case
      assertEquals(Policies.NONE, PolicyLoader.load(Config.defaults()));
    }
    Path missing = dir.resolve("nope.conf");
    ConfigException e = assertThrows(ConfigException.class,
        () -> PolicyLoader.load(Config.of(Map.of("POLICIES_FILE", missing.toString()))));
    assertEquals(List.of("policies file " + missing + " (POLICIES_FILE) does not exist"), e.errors());

    Path file = dir.resolve("p.conf");
    Files.writeString(file, "voip proto udp dport 5060 -> wan1 > wan2\n");
    Policies p = PolicyLoader.load(Config.of(Map.of("POLICIES_FILE", file.toString())));
    assertEquals(file.toString(), p.source());
    assertEquals("wan1 > wan2", p.byName("voip").action().toString());

    Files.writeString(file, "voip proto udp dport 5060 -> \n");
    e = assertThrows(ConfigException.class, () -> PolicyLoader.load(Config.of(Map.of("POLICIES_FILE",
        file.toString()))));
    assertTrue(e.errors().get(0).startsWith(file + ":1: empty action"), e.getMessage());
  }

  @Test
  void aDirectoryIsNotAPoliciesFile(@TempDir Path dir) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PolicyLoader.load(Config.of(Map.of("POLICIES_FILE", dir.toString()))));
    assertEquals(List.of("policies file " + dir + " is refused: not a regular file"), e.errors());
  }

  @Test
  void recordsRefuseWhatTheParserRefuses() {
    assertThrows(IllegalArgumentException.class, () -> new PortRange(9, 8));
    assertThrows(IllegalArgumentException.class, () -> new Member("wan1", 0));
    assertThrows(IllegalArgumentException.class, () -> new Member("a b", 1));
    assertThrows(IllegalArgumentException.class, () -> new Action(Kind.MAIN, List.of(List.of(new Member("w", 1)))));
    assertThrows(IllegalArgumentException.class, () -> new Action(Kind.UPLINKS, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Policy.Match(List.of(), List.of(), Proto.ANY,
        List.of(new PortRange(1, 1)), List.of(), null));
  }
}
