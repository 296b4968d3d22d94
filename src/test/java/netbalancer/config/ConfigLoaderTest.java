package netbalancer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private ConfigLoader loader() {
    return new ConfigLoader(dir.resolve("absent-default.conf"));
  }

  private Path write(String text) throws IOException {
    Path file = dir.resolve("net-balancer.conf");
    Files.writeString(file, text);
    return file;
  }

  private Config loadFile(String text) throws IOException {
    return loader().load(write(text), Map.of());
  }

  private List<String> errorsOf(String fileText) throws IOException {
    Path file = write(fileText);
    return assertThrows(ConfigException.class, () -> loader().load(file, Map.of())).errors();
  }

  // ---- defaults ----

  @Test
  void defaultsAreTheSeedsAndTheBriefs() {
    Config c = Config.defaults();
    assertEquals(200, c.lbTable());
    assertEquals(90, c.lbPref());
    assertEquals(100, c.lbTableBase());
    assertEquals(0xff00L, c.lbMarkMask());
    assertEquals(213, c.lbRtProto());
    assertEquals(List.of(), c.uplinks());
    assertEquals(List.of("lo", "docker*", "veth*", "br-*", "virbr*", "tailscale*", "wg*"), c.excludeInterfaces());
    assertEquals(Map.of(), c.uplinkWeights());
    assertEquals(Map.of(), c.uplinkTiers());
    assertEquals(BalanceMode.CONNECTION, c.balanceMode());
    assertEquals(Duration.ofSeconds(2), c.debounceTime());
    assertEquals(Duration.ofSeconds(30), c.resyncInterval());
    assertTrue(c.healthCheckEnabled());
    assertEquals(Duration.ofSeconds(30), c.healthCheckInterval());
    assertEquals(Duration.ofSeconds(1), c.healthCheckFastInterval());
    assertEquals(Duration.ofSeconds(3), c.healthCheckTimeout());
    assertEquals(2, c.healthCheckFailureThreshold());
    assertEquals(1, c.healthCheckRecoveryThreshold());
    assertEquals("1.1.1.1", c.healthProbeTarget());
    assertEquals(List.of(), c.healthProbeTargets());
    assertEquals(List.of("1.1.1.1", "2606:4700:4700::1111"), c.probeTargets(), "the seed's target and its IPv6 twin");
    assertEquals(1, c.healthProbeQuorum());
    assertEquals(53, c.healthProbePort());
    assertEquals(ProbeMethod.TCP, c.healthProbeMethod());
    assertTrue(c.connectionDrainingEnabled());
    assertEquals(Duration.ofSeconds(300), c.drainTimeout());
    assertTrue(c.sessionAffinityEnabled());
    assertTrue(c.consistentNatEnabled());
    assertTrue(c.failoverHysteresisEnabled());
    assertEquals(Duration.ofSeconds(30), c.failoverBackoffBase());
    assertEquals(Duration.ofSeconds(300), c.failoverBackoffMax());
    assertEquals(Duration.ofSeconds(60), c.failoverHoldDown());
    assertTrue(c.neighborReachabilityEnabled());
    assertEquals(LogLevel.INFO, c.logLevel());
    assertFalse(c.metricsEnabled());
    assertEquals(9090, c.metricsPort());
    assertEquals("127.0.0.1", c.metricsBind());
    assertEquals(Path.of("/var/run/load_balancer_metrics.prom"), c.metricsFile());
    assertFalse(c.keepStateOnExit());
    assertEquals(Path.of("/etc/net-balancer/hooks.d"), c.hooksDir());
    assertEquals(Duration.ofSeconds(10), c.hookTimeout());
    assertEquals(Path.of("/run/net-balancer"), c.stateDir());
    assertEquals(Path.of("/run/net-balancer/control.sock"), c.controlSocket());
  }

  @Test
  void everySeedVariableIsAKnownKeyWithTheSeedsDefault() {
    Map<String, String> seed = new LinkedHashMap<>();
    seed.put("LB_TABLE", "200");
    seed.put("LB_PREF", "90");
    seed.put("DEBOUNCE_TIME", "2");
    seed.put("HEALTH_CHECK_ENABLED", "true");
    seed.put("HEALTH_CHECK_INTERVAL", "30");
    seed.put("HEALTH_CHECK_TIMEOUT", "3");
    seed.put("HEALTH_CHECK_FAILURE_THRESHOLD", "2");
    seed.put("HEALTH_CHECK_RECOVERY_THRESHOLD", "1");
    seed.put("HEALTH_PROBE_TARGET", "1.1.1.1");
    seed.put("HEALTH_PROBE_PORT", "53");
    seed.put("CONNECTION_DRAINING_ENABLED", "true");
    seed.put("SESSION_AFFINITY_ENABLED", "true");
    seed.put("CONSISTENT_NAT_ENABLED", "true");
    seed.put("FAILOVER_HYSTERESIS_ENABLED", "true");
    seed.put("FAILOVER_BACKOFF_BASE", "30");
    seed.put("FAILOVER_BACKOFF_MAX", "300");
    seed.put("FAILOVER_HOLD_DOWN", "60");
    seed.put("NEIGHBOR_REACHABILITY_ENABLED", "true");
    seed.put("LOG_LEVEL", "info");
    seed.put("METRICS_ENABLED", "false");
    seed.put("METRICS_PORT", "9090");
    seed.put("METRICS_FILE", "/var/run/load_balancer_metrics.prom");
    Map<String, String> known = ConfigLoader.knownKeys().stream()
        .collect(Collectors.toMap(ConfigKey::name, ConfigKey::defaultValue));
    seed.forEach((k, v) -> assertEquals(v, known.get(k), k));
    assertEquals(Config.defaults(), Config.of(seed));
  }

  @Test
  void toSettingsRendersEveryKeyAsItsDefaultText() {
    Map<String, String> expected = new LinkedHashMap<>();
    ConfigLoader.knownKeys().forEach(k -> expected.put(k.name(), k.defaultValue()));
    assertEquals(expected, Config.defaults().toSettings());
  }

  @Test
  void recordComponentsFollowTheKeyTable() {
    var components = Config.class.getRecordComponents();
    List<ConfigKey> keys = ConfigLoader.knownKeys();
    assertEquals(keys.size(), components.length);
    for (int i = 0; i < components.length; i++) {
      assertEquals(camel(keys.get(i).name()), components[i].getName());
    }
  }

  private static String camel(String key) {
    StringBuilder sb = new StringBuilder();
    for (String part : key.toLowerCase().split("_")) {
      sb.append(sb.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    return sb.toString();
  }

  @Test
  void knownKeysHaveDescriptionsAndAllowedValues() {
    for (ConfigKey k : ConfigLoader.knownKeys()) {
      assertFalse(k.description().isBlank(), k.name());
      assertFalse(k.description().contains("\n"), k.name());
      assertFalse(k.allowed().isBlank(), k.name());
    }
  }

  @Test
  void defaultConfigFileListsEveryKeyCommentedOutAndParsesBackToTheDefaults() throws IOException {
    String text = ConfigLoader.defaultConfigFileText();
    for (ConfigKey k : ConfigLoader.knownKeys()) {
      assertTrue(text.contains("\n#" + k.name() + "="), k.name());
    }
    assertTrue(text.contains("#EXCLUDE_INTERFACES=\"lo docker* veth* br-* virbr* tailscale* wg*\""));
    assertEquals(Config.defaults(), loadFile(text), "commented out: nothing set");
    String uncommented = text.replaceAll("(?m)^#([A-Z_]+=)", "$1");
    assertEquals(Config.defaults(), loadFile(uncommented));
  }

  // ---- file syntax ----

  @Test
  void fileSyntaxQuotesCommentsExportAndBlanks() throws IOException {
    Config c = loadFile(String.join("\n",
        "# a comment",
        "; another comment",
        "",
        "   ",
        "LB_TABLE=300",
        "  LB_PREF = 1000  ",
        "export UPLINKS=\"wan1 wan2,lte0\"",
        "EXCLUDE_INTERFACES='lo docker*'",
        "UPLINK_WEIGHTS=\"wan1=3 wan2=1\"",
        "HEALTH_PROBE_TARGET=\"2606:4700:4700::1111\"",
        "LOG_LEVEL=\"DEBUG\"",
        "METRICS_ENABLED=Yes",
        "KEEP_STATE_ON_EXIT=on",
        "HEALTH_CHECK_ENABLED=0",
        "DEBOUNCE_TIME=0.5",
        "HOOKS_DIR=\"/etc/my hooks\"",
        "STATE_DIR=/run/x\\",
        "y"));
    assertEquals(300, c.lbTable());
    assertEquals(1000, c.lbPref());
    assertEquals(List.of("wan1", "wan2", "lte0"), c.uplinks());
    assertEquals(List.of("lo", "docker*"), c.excludeInterfaces());
    assertEquals(List.of("wan1", "wan2"), List.copyOf(c.uplinkWeights().keySet()));
    assertEquals(3, c.weightOf("wan1"));
    assertEquals(1, c.weightOf("wan2"));
    assertEquals(1, c.weightOf("lte0"));
    assertEquals("2606:4700:4700::1111", c.healthProbeTarget());
    assertEquals(LogLevel.DEBUG, c.logLevel());
    assertTrue(c.metricsEnabled());
    assertTrue(c.keepStateOnExit());
    assertFalse(c.healthCheckEnabled());
    assertEquals(Duration.ofMillis(500), c.debounceTime());
    assertEquals(Path.of("/etc/my hooks"), c.hooksDir());
    assertEquals(Path.of("/run/xy"), c.stateDir(), "backslash-newline continues the line");
  }

  @Test
  void crlfLineEndingsAndDoubleQuoteEscapes() throws IOException {
    Config c = loadFile("LB_TABLE=201\r\nHOOKS_DIR=\"/a\\\"b\\\\c\"\r\n");
    assertEquals(201, c.lbTable());
    assertEquals(Path.of("/a\"b\\c"), c.hooksDir());
  }

  @Test
  void laterLinesWinAndAnInlineHashIsPartOfTheValueAsInSystemd() throws IOException {
    assertEquals(202, loadFile("LB_TABLE=201\nLB_TABLE=202\n").lbTable());
    List<String> errors = errorsOf("LB_TABLE=200 # routing table\n");
    assertEquals(1, errors.size());
    assertTrue(errors.get(0).startsWith("LB_TABLE=\"200 # routing table\": expected an integer"), errors.get(0));
    assertTrue(errors.get(0).contains("'#' starts a comment only at the beginning of a line"), errors.get(0));
  }

  @Test
  void malformedLinesAreReportedWithTheirLine() throws IOException {
    List<String> errors = errorsOf("LB_TABLE=200\nJUSTAWORD\nBAD NAME=1\nLB_PREF='90\n");
    assertEquals(3, errors.size(), errors.toString());
    assertTrue(errors.get(0).endsWith(":2: expected KEY=VALUE, got \"JUSTAWORD\""), errors.get(0));
    assertTrue(errors.get(1).contains(":3: \"BAD NAME\" is not a valid variable name"), errors.get(1));
    assertTrue(errors.get(2).contains(":4: unterminated quote in the value of LB_PREF"), errors.get(2));
  }

  // ---- sources and precedence ----

  @Test
  void environmentOverridesFileAndOnlyKnownKeysAreTaken() throws IOException {
    Path file = write("LB_TABLE=300\nLB_PREF=1000\n");
    Map<String, String> env = Map.of(
        "LB_TABLE", "400",
        "PATH", "/usr/bin:/bin",
        "HOME", "/root",
        "HEALTH_CHEK_INTERVAL", "abc");
    Config c = loader().load(file, env);
    assertEquals(400, c.lbTable());
    assertEquals(1000, c.lbPref());
  }

  @Test
  void environmentAloneWorksWithoutAnyFile() {
    Config c = loader().load(null, Map.of("UPLINKS", "wan1 wan2", "UPLINK_WEIGHTS", "wan1=2"));
    assertEquals(List.of("wan1", "wan2"), c.uplinks());
    assertEquals(2, c.weightOf("wan1"));
  }

  @Test
  void badEnvironmentValueSaysItCameFromTheEnvironment() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> loader().load(null, Map.of("HEALTH_CHECK_INTERVAL", "abc")));
    assertEquals(List.of("HEALTH_CHECK_INTERVAL=abc: expected a number of seconds > 0, at most 86400"
        + " (from the environment)"), e.errors());
  }

  @Test
  void missingDefaultFileIsFineMissingExplicitFileIsAnError() {
    assertEquals(Config.defaults(), loader().load(null, Map.of()));
    Path missing = dir.resolve("nope.conf");
    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(missing, Map.of()));
    assertEquals(List.of("config file " + missing + " does not exist"), e.errors());
  }

  @Test
  void theDefaultFileIsReadWhenPresent() throws IOException {
    Path file = write("LB_TABLE=333\n");
    assertEquals(333, new ConfigLoader(file).load(null, Map.of()).lbTable());
  }

  @Test
  void aDirectoryIsNotAConfigFile() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(dir, Map.of()));
    assertTrue(e.errors().get(0).startsWith("config file " + dir + " is refused: not a regular file"),
        e.errors().get(0));
  }

  @Test
  void aFifoOrADeviceIsRefusedWithoutReadingIt() throws Exception {
    Path fifo = dir.resolve("fifo.conf");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    for (Path p : List.of(fifo, Path.of("/dev/zero"))) {
      ConfigException e = assertThrows(ConfigException.class, () -> loader().load(p, Map.of()));
      assertTrue(e.errors().get(0).contains("not a regular file"), e.errors().get(0));
    }
  }

  @Test
  void aFileOverOneMebibyteIsRefused() throws IOException {
    Path big = dir.resolve("big.conf");
    Files.write(big, new byte[ConfigLoader.MAX_FILE_SIZE + 1]);
    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(big, Map.of()));
    assertTrue(e.errors().get(0).contains("larger than 1048576 bytes"), e.errors().get(0));
    Path fits = write("LB_TABLE=333\n" + "#".repeat(1000) + "\n");
    assertEquals(333, loader().load(fits, Map.of()).lbTable());
  }

  // ---- errors ----

  @Test
  void unknownKeyInFileSuggestsTheNearestKnownKey() throws IOException {
    Path file = write("LB_TABLE=200\n\nHEALTH_CHEK_INTERVAL=10\n");
    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(file, Map.of()));
    assertEquals(List.of("unknown key HEALTH_CHEK_INTERVAL in " + file + ":3; did you mean HEALTH_CHECK_INTERVAL?"),
        e.errors());
  }

  @Test
  void unknownKeySuggestionIgnoresCaseAndIsOmittedWhenNothingIsClose() throws IOException {
    List<String> errors = errorsOf("lb_tabel=200\nCOMPLETELY_UNRELATED_THING=1\n");
    assertTrue(errors.get(0).startsWith("unknown key lb_tabel in "), errors.get(0));
    assertTrue(errors.get(0).endsWith(":1; did you mean LB_TABLE?"), errors.get(0));
    assertTrue(errors.get(1).endsWith(":2"), errors.get(1));
  }

  @Test
  void unknownKeyInAMapIsAnErrorToo() {
    ConfigException e = assertThrows(ConfigException.class, () -> Config.of(Map.of("UPLINK", "wan1")));
    assertEquals(List.of("unknown key UPLINK; did you mean UPLINKS?"), e.errors());
  }

  @Test
  void allErrorsAreReportedTogetherInOneException() throws IOException {
    Path file = write(String.join("\n",
        "LB_TABLE=254",
        "HEALTH_CHEK_INTERVAL=5",
        "HEALTH_PROBE_PORT=0",
        "LOG_LEVEL=verbose",
        "FAILOVER_BACKOFF_BASE=60",
        "FAILOVER_BACKOFF_MAX=30",
        ""));
    ConfigException e = assertThrows(ConfigException.class,
        () -> loader().load(file, Map.of("METRICS_BIND", "localhost")));
    List<String> errors = e.errors();
    assertEquals(6, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("unknown key HEALTH_CHEK_INTERVAL"));
    assertTrue(errors.get(1).startsWith("LB_TABLE=254: expected"));
    assertTrue(errors.get(1).endsWith("(at " + file + ":1)"), errors.get(1));
    assertTrue(errors.get(2).startsWith("HEALTH_PROBE_PORT=0: expected an integer 1..65535"));
    assertTrue(errors.get(3).startsWith("LOG_LEVEL=verbose: expected one of: debug, info, warn, error"));
    assertTrue(errors.get(4).startsWith("METRICS_BIND=localhost: expected an IPv4 or IPv6 address literal"));
    assertEquals("FAILOVER_BACKOFF_MAX=30: expected a number of seconds at least FAILOVER_BACKOFF_BASE=60",
        errors.get(5));
    assertTrue(e.getMessage().startsWith("invalid configuration (6 errors):\n  unknown key"), e.getMessage());
  }

  @Test
  void crossKeyErrorsAreReportedAlongsideValueErrors() throws IOException {
    List<String> errors = errorsOf("HEALTH_PROBE_PORT=70000\nFAILOVER_BACKOFF_BASE=60\nFAILOVER_BACKOFF_MAX=30\n");
    assertEquals(List.of(
        "HEALTH_PROBE_PORT=70000: expected an integer 1..65535 (at " + dir.resolve("net-balancer.conf") + ":1)",
        "FAILOVER_BACKOFF_MAX=30: expected a number of seconds at least FAILOVER_BACKOFF_BASE=60"), errors);
  }

  @Test
  void aCrossKeyRuleIsSkippedWhenOneOfItsInputsIsAlreadyWrong() throws IOException {
    List<String> errors = errorsOf("FAILOVER_BACKOFF_BASE=abc\nFAILOVER_BACKOFF_MAX=10\n");
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("FAILOVER_BACKOFF_BASE=abc: expected a number of seconds 0..86400"));
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        // key, bad value, a fragment of what is allowed
        Arguments.of("LB_TABLE", "abc", "an integer 1..2147483647 other than 253, 254 and 255"),
        Arguments.of("LB_TABLE", "0", "an integer 1..2147483647"),
        Arguments.of("LB_TABLE", "254", "other than 253, 254 and 255"),
        Arguments.of("LB_TABLE", "2147483648", "an integer 1..2147483647"),
        Arguments.of("LB_TABLE", "-5", "an integer 1..2147483647"),
        Arguments.of("LB_PREF", "20", "an integer 21..32765"),
        Arguments.of("LB_PREF", "32766", "an integer 21..32765"),
        Arguments.of("LB_TABLE_BASE", "200", "an integer 0..189 or 255..2147483584"),
        Arguments.of("LB_TABLE_BASE", "2147483600", "an integer 0..189 or 255..2147483584"),
        Arguments.of("LB_MARK_MASK", "0", "at least 6 contiguous one bits"),
        Arguments.of("LB_MARK_MASK", "0xf0f0", "at least 6 contiguous one bits"),
        Arguments.of("LB_MARK_MASK", "0x1f", "at least 6 contiguous one bits"),
        Arguments.of("LB_MARK_MASK", "0x1ffffffff", "a 32-bit mask"),
        Arguments.of("LB_MARK_MASK", "ff00", "hex (0xff00) or decimal"),
        Arguments.of("LB_RT_PROTO", "4", "an integer 5..255"),
        Arguments.of("LB_RT_PROTO", "256", "an integer 5..255"),
        Arguments.of("UPLINKS", "wan1 wan/2", "\"wan/2\" is not a valid interface name"),
        Arguments.of("UPLINKS", "averyveryverylongname", "1-15 characters"),
        Arguments.of("UPLINKS", "eth0:1", "A-Z a-z 0-9 . _ + -"),
        Arguments.of("UPLINKS", "..", "not '.', '..'"),
        // Names the kernel allows but uplink discovery never uses: refused here, not ignored later.
        Arguments.of("UPLINKS", "wan1 wan;1", "\"wan;1\" is not a valid interface name"),
        Arguments.of("UPLINKS", "wän0", "A-Z a-z 0-9 . _ + -"),
        Arguments.of("UPLINKS", "all", "not '.', '..', 'all' or 'default'"),
        Arguments.of("UPLINK_WEIGHTS", "wan$1=2", "NAME an interface name (1-15 characters of A-Z"),
        Arguments.of("UPLINK_TIERS", "lte*=2", "\"lte*=2\" is not NAME=TIER"),
        Arguments.of("UPLINKS", "wan1 wan1", "wan1 is listed twice"),
        Arguments.of("EXCLUDE_INTERFACES", "lo wan[12", "patterns using *, ? and [...]"),
        Arguments.of("UPLINK_WEIGHTS", "wan1=0", "WEIGHT 1..256"),
        Arguments.of("UPLINK_WEIGHTS", "wan1=257", "WEIGHT 1..256"),
        Arguments.of("UPLINK_WEIGHTS", "wan1", "NAME=WEIGHT"),
        Arguments.of("UPLINK_WEIGHTS", "wan/1=3", "NAME an interface name"),
        Arguments.of("UPLINK_WEIGHTS", "wan1=2 wan1=3", "wan1 is given twice"),
        Arguments.of("UPLINK_TIERS", "lte0=0", "TIER 1..9"),
        Arguments.of("UPLINK_TIERS", "lte0=10", "TIER 1..9"),
        Arguments.of("UPLINK_TIERS", "lte0=backup", "\"lte0=backup\" is not NAME=TIER"),
        Arguments.of("UPLINK_TIERS", "lte0=2 lte0=3", "lte0 is given twice"),
        Arguments.of("BALANCE_MODE", "round-robin", "one of: connection, host"),
        Arguments.of("DEBOUNCE_TIME", "-1", "a number of seconds 0..3600"),
        Arguments.of("DEBOUNCE_TIME", "3601", "a number of seconds 0..3600"),
        Arguments.of("DEBOUNCE_TIME", "2s", "a number of seconds 0..3600"),
        Arguments.of("RESYNC_INTERVAL", "0", "a number of seconds > 0"),
        Arguments.of("HEALTH_CHECK_ENABLED", "maybe", "true or false (also yes/no, on/off, 1/0)"),
        Arguments.of("HEALTH_CHECK_INTERVAL", "abc", "a number of seconds > 0"),
        Arguments.of("HEALTH_CHECK_INTERVAL", "1e3", "a number of seconds > 0"),
        Arguments.of("HEALTH_CHECK_FAST_INTERVAL", "0", "a number of seconds > 0"),
        Arguments.of("HEALTH_CHECK_TIMEOUT", "0.0", "a number of seconds > 0"),
        Arguments.of("HEALTH_CHECK_FAILURE_THRESHOLD", "0", "an integer 1..100"),
        Arguments.of("HEALTH_CHECK_RECOVERY_THRESHOLD", "101", "an integer 1..100"),
        Arguments.of("HEALTH_PROBE_TARGET", "one.one.one.one", "an IPv4 or IPv6 address literal (no host name)"),
        Arguments.of("HEALTH_PROBE_TARGET", "1.1.1.256", "an IPv4 or IPv6 address literal"),
        Arguments.of("HEALTH_PROBE_TARGET", "fe80::1::2", "an IPv4 or IPv6 address literal"),
        Arguments.of("HEALTH_PROBE_TARGETS", "1.1.1.1 dns.google", "\"dns.google\" is not an IP address literal"),
        Arguments.of("HEALTH_PROBE_QUORUM", "0", "an integer 1..100"),
        Arguments.of("HEALTH_PROBE_PORT", "65536", "an integer 1..65535"),
        Arguments.of("HEALTH_PROBE_METHOD", "udp", "one of: tcp, icmp"),
        Arguments.of("CONNECTION_DRAINING_ENABLED", "enabled", "true or false"),
        Arguments.of("DRAIN_TIMEOUT", "86401", "a number of seconds 0..86400"),
        Arguments.of("CARRIER_GRACE_PERIOD", "3601", "a number of seconds 0..3600"),
        Arguments.of("CARRIER_GRACE_PERIOD", "-1", "a number of seconds 0..3600"),
        Arguments.of("FAILOVER_BACKOFF_MAX", "forever", "a number of seconds 0..86400"),
        Arguments.of("FAILOVER_HOLD_DOWN", "1,5", "a number of seconds 0..86400"),
        Arguments.of("LOG_LEVEL", "trace", "one of: debug, info, warn, error"),
        Arguments.of("METRICS_PORT", "0", "an integer 1..65535"),
        Arguments.of("METRICS_BIND", "localhost", "an IPv4 or IPv6 address literal"),
        Arguments.of("METRICS_FILE", "metrics.prom", "an absolute path"),
        Arguments.of("HOOKS_DIR", "hooks.d", "an absolute path"),
        Arguments.of("HOOK_TIMEOUT", "0", "a number of seconds > 0"),
        Arguments.of("STATE_DIR", "run/net-balancer", "an absolute path"),
        Arguments.of("CONTROL_SOCKET", "/" + "s".repeat(107), "an absolute path of at most 107 bytes"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("badValues")
  void aBadValueNamesTheKeyTheValueAndWhatIsAllowed(String key, String value, String allowed) throws IOException {
    List<String> errors = errorsOf(key + "=\"" + value + "\"\n");
    assertEquals(1, errors.size(), errors.toString());
    String message = errors.get(0);
    assertTrue(message.startsWith(Validation.setting(key, value) + ": "), message);
    assertTrue(message.contains(value), message);
    assertTrue(message.contains(allowed), message);
  }

  static Stream<Arguments> badCombinations() {
    return Stream.of(
        Arguments.of(Map.of("LB_TABLE", "150"), "LB_TABLE=150: expected a table outside the per-uplink tables"
            + " 101..163 (LB_TABLE_BASE=100 plus 1..63)"),
        Arguments.of(Map.of("LB_TABLE_BASE", "150"), "LB_TABLE=200: expected a table outside the per-uplink tables"
            + " 151..213 (LB_TABLE_BASE=150 plus 1..63)"),
        Arguments.of(Map.of("HEALTH_CHECK_FAST_INTERVAL", "45"),
            "HEALTH_CHECK_FAST_INTERVAL=45: expected a number of seconds > 0, at most HEALTH_CHECK_INTERVAL=30"),
        Arguments.of(Map.of("FAILOVER_BACKOFF_MAX", "29.5"),
            "FAILOVER_BACKOFF_MAX=29.5: expected a number of seconds at least FAILOVER_BACKOFF_BASE=30"),
        Arguments.of(Map.of("HEALTH_PROBE_QUORUM", "2"), "HEALTH_PROBE_QUORUM=2: expected an integer 1..1"
            + " (HEALTH_PROBE_TARGETS is empty, so HEALTH_PROBE_TARGET is the only target)"),
        Arguments.of(Map.of("HEALTH_PROBE_QUORUM", "3", "HEALTH_PROBE_TARGETS", "1.1.1.1 9.9.9.9"),
            "HEALTH_PROBE_QUORUM=3: expected an integer 1..2 (the number of targets in"
                + " HEALTH_PROBE_TARGETS=\"1.1.1.1 9.9.9.9\")"),
        Arguments.of(Map.of("UPLINKS", "wan1 wan2", "UPLINK_WEIGHTS", "wan1=3 wan3=1"),
            "UPLINK_WEIGHTS=\"wan1=3 wan3=1\": wan3 is not in UPLINKS=\"wan1 wan2\"; expected weights only for"
                + " interfaces listed in UPLINKS"),
        Arguments.of(Map.of("UPLINKS", "wan1", "UPLINK_WEIGHTS", "wan2=3 wan3=1"),
            "UPLINK_WEIGHTS=\"wan2=3 wan3=1\": wan2, wan3 are not in UPLINKS=wan1; expected weights only for"
                + " interfaces listed in UPLINKS"),
        Arguments.of(Map.of("UPLINKS", "wan1 lte0", "UPLINK_TIERS", "lte1=2"),
            "UPLINK_TIERS=lte1=2: lte1 is not in UPLINKS=\"wan1 lte0\"; expected tiers only for interfaces listed"
                + " in UPLINKS"));
  }

  @ParameterizedTest
  @MethodSource("badCombinations")
  void settingsThatContradictEachOtherAreRejected(Map<String, String> settings, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> Config.of(settings));
    assertEquals(List.of(message), e.errors());
  }

  @Test
  void boundaryValuesAreAccepted() {
    Config c = Config.of(Map.ofEntries(
        Map.entry("LB_TABLE", "2147483647"),
        Map.entry("LB_PREF", "21"),
        Map.entry("LB_TABLE_BASE", "189"),
        Map.entry("LB_RT_PROTO", "5"),
        Map.entry("DEBOUNCE_TIME", "0"),
        Map.entry("HEALTH_CHECK_INTERVAL", ".5"),
        Map.entry("HEALTH_CHECK_FAST_INTERVAL", "0.5"),
        Map.entry("HEALTH_PROBE_TARGETS", "1.1.1.1, 9.9.9.9,2620:fe::fe"),
        Map.entry("HEALTH_PROBE_QUORUM", "3"),
        Map.entry("HEALTH_PROBE_METHOD", "ICMP"),
        Map.entry("BALANCE_MODE", "Host"),
        Map.entry("UPLINK_WEIGHTS", "wan1=256,wlan0=1"),
        Map.entry("UPLINK_TIERS", "wan1=1,wlan0=9"),
        Map.entry("FAILOVER_BACKOFF_BASE", "0"),
        Map.entry("FAILOVER_BACKOFF_MAX", "0"),
        Map.entry("UPLINKS", "enp0s31f6.100 usb-0 a wan1 wlan0")));
    assertEquals(Duration.ofMillis(500), c.healthCheckInterval());
    assertEquals(List.of("1.1.1.1", "9.9.9.9", "2620:fe::fe"), c.probeTargets());
    assertEquals(BalanceMode.HOST, c.balanceMode());
    assertEquals(0, c.balanceMode().fibMultipathHashPolicy());
    assertEquals(256, c.weightOf("wan1"));
    assertEquals(9, c.tierOf("wlan0"));
    assertEquals(1, c.tierOf("a"), "unlisted uplinks are tier 1");
    assertEquals(255, Config.of(Map.of("LB_TABLE_BASE", "255")).lbTableBase());
  }

  // ---- interfaces, globs, marks ----

  @Test
  void globExclusionAndUplinksWin() {
    Config c = Config.of(Map.of("UPLINKS", "wg0", "EXCLUDE_INTERFACES", "lo docker* veth? br-* wg* tun[0-3] ppp[!0]"));
    assertTrue(c.isExcluded("lo"));
    assertTrue(c.isExcluded("docker0"));
    assertTrue(c.isExcluded("docker"));
    assertTrue(c.isExcluded("veth1"));
    assertFalse(c.isExcluded("veth12"), "? is one character");
    assertTrue(c.isExcluded("br-1a2b"));
    assertFalse(c.isExcluded("br0"));
    assertTrue(c.isExcluded("wg1"));
    assertFalse(c.isExcluded("wg0"), "named in UPLINKS");
    assertTrue(c.isExcluded("tun2"));
    assertFalse(c.isExcluded("tun4"));
    assertTrue(c.isExcluded("ppp1"));
    assertFalse(c.isExcluded("ppp0"));
    assertFalse(c.isExcluded("eth0"));
    assertFalse(c.isExcluded("loopback"), "lo is not a prefix pattern");
  }

  @Test
  void defaultExclusions() {
    Config c = Config.defaults();
    for (String name : List.of("lo", "docker0", "veth9f3a", "br-0d1e", "virbr0", "tailscale0", "wg0")) {
      assertTrue(c.isExcluded(name), name);
    }
    for (String name : List.of("eth0", "wlan0", "enp3s0", "usb0", "wwan0", "bridge0")) {
      assertFalse(c.isExcluded(name), name);
    }
  }

  @Test
  void markMaskDefinesShiftMarksAndCapacity() {
    Config c = Config.defaults();
    assertEquals(8, c.markShift());
    assertEquals(0x100L, c.markFor(1));
    assertEquals(0x300L, c.markFor(3));
    assertEquals(63, c.maxUplinks());
    assertEquals(0x3f00L, c.markFor(63));
    assertEquals(101, c.tableFor(1));
    assertEquals(163, c.tableFor(63));
    assertThrows(IllegalArgumentException.class, () -> c.markFor(0));
    assertThrows(IllegalArgumentException.class, () -> c.markFor(64));
    assertThrows(IllegalArgumentException.class, () -> c.tableFor(0));

    Config high = Config.of(Map.of("LB_MARK_MASK", "0xFC000000"));
    assertEquals(0xfc000000L, high.lbMarkMask());
    assertEquals(26, high.markShift());
    assertEquals(63, high.maxUplinks());
    assertEquals(0xfc000000L, high.markFor(63));
    assertEquals("0xfc000000", high.toSettings().get("LB_MARK_MASK"));

    Config decimal = Config.of(Map.of("LB_MARK_MASK", "4278190080"));
    assertEquals(0xff000000L, decimal.lbMarkMask());
    assertEquals(24, decimal.markShift());
    assertEquals(0x3fL, Config.of(Map.of("LB_MARK_MASK", "0x3f")).lbMarkMask());
    assertEquals(0xffffffffL, Config.of(Map.of("LB_MARK_MASK", "0xffffffff")).lbMarkMask());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0x0", "0x1f", "0xf0f0", "0x10100", "0x100000000", "0xff00ff", "-1", "0xg", "65280.0"})
  void badMarkMasksAreRejected(String mask) {
    ConfigException e = assertThrows(ConfigException.class, () -> Config.of(Map.of("LB_MARK_MASK", mask)));
    assertEquals(List.of("LB_MARK_MASK=" + mask + ": expected a 32-bit mask, hex (0xff00) or decimal, of at least 6"
        + " contiguous one bits"), e.errors());
  }

  @Test
  void tooManyUplinks() {
    String names = Stream.iterate(1, i -> i + 1).limit(64).map(i -> "u" + i).collect(Collectors.joining(" "));
    ConfigException e = assertThrows(ConfigException.class, () -> Config.of(Map.of("UPLINKS", names)));
    assertTrue(e.errors().get(0).contains("64 items; expected space- or comma-separated interface names, at most 63"),
        e.errors().toString());
  }
}
