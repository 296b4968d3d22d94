package netbalancer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The record itself: every instance is valid and immutable, however it was built. */
class ConfigTest {

  /** Calls the canonical constructor with the defaults except one component. */
  private static Config defaultsWith(String component, Object value) throws Exception {
    Config d = Config.defaults();
    RecordComponent[] rc = Config.class.getRecordComponents();
    Class<?>[] types = new Class<?>[rc.length];
    Object[] args = new Object[rc.length];
    boolean found = false;
    for (int i = 0; i < rc.length; i++) {
      types[i] = rc[i].getType();
      args[i] = rc[i].getName().equals(component) ? value : rc[i].getAccessor().invoke(d);
      found |= rc[i].getName().equals(component);
    }
    assertTrue(found, component);
    Constructor<Config> ctor = Config.class.getDeclaredConstructor(types);
    try {
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      throw (Exception) e.getCause();
    }
  }

  private static List<String> constructorErrors(String component, Object value) {
    return assertThrows(ConfigException.class, () -> defaultsWith(component, value)).errors();
  }

  @Test
  void theConstructorAppliesTheSameRulesAsTheFile() {
    assertEquals(List.of("LB_TABLE=254: expected an integer 1..2147483647 other than 253, 254 and 255 (the kernel's"
        + " default, main and local tables)"), constructorErrors("lbTable", 254));
    assertEquals(List.of("LB_MARK_MASK=0xf0f0: expected a 32-bit mask, hex (0xff00) or decimal, of at least 6"
        + " contiguous one bits"), constructorErrors("lbMarkMask", 0xf0f0L));
    assertEquals(List.of("HEALTH_CHECK_INTERVAL=0: expected a number of seconds > 0, at most 86400"),
        constructorErrors("healthCheckInterval", Duration.ZERO));
    assertEquals(List.of("HEALTH_CHECK_FAST_INTERVAL=1: expected a number of seconds > 0, at most"
        + " HEALTH_CHECK_INTERVAL=0.25"), constructorErrors("healthCheckInterval", Duration.ofMillis(250)));
    assertEquals(List.of("BALANCE_MODE is null; expected one of: connection, host"),
        constructorErrors("balanceMode", null));
  }

  @Test
  void aListElementThatCannotBeWrittenInTheFileIsRejected() {
    List<String> errors = constructorErrors("uplinks", List.of("wan1,wan2"));
    assertEquals(List.of("UPLINKS=wan1,wan2: cannot be written as a setting; expected space- or comma-separated"
        + " interface names, at most 63 (" + InterfaceNames.RULES + ")"), errors);
    assertTrue(constructorErrors("uplinks", List.of("bad name")).get(0).startsWith("UPLINKS=\"bad name\": cannot be"));
  }

  @Test
  void aValidDirectConstructionEqualsTheParsedOne() throws Exception {
    Config c = defaultsWith("uplinks", List.of("wan1", "wan2"));
    assertEquals(Config.of(Map.of("UPLINKS", "wan1,wan2")), c);
  }

  @Test
  void collectionsAreCopiedAndImmutable() throws Exception {
    List<String> uplinks = new ArrayList<>(List.of("wan1"));
    Config c = defaultsWith("uplinks", uplinks);
    uplinks.add("wan2");
    assertEquals(List.of("wan1"), c.uplinks());
    assertThrows(UnsupportedOperationException.class, () -> c.uplinks().add("x"));
    Config w = Config.of(Map.of("UPLINK_WEIGHTS", "b=2 a=1 c=3"));
    assertEquals(List.of("b", "a", "c"), List.copyOf(w.uplinkWeights().keySet()), "file order is kept");
    assertThrows(UnsupportedOperationException.class, () -> w.uplinkWeights().put("d", 1));
    assertThrows(UnsupportedOperationException.class, () -> w.toSettings().put("LB_TABLE", "1"));
  }

  @Test
  void withReplacesSomeSettingsAndKeepsTheRest() {
    Config base = Config.of(Map.of("UPLINKS", "wan1 wan2", "DEBOUNCE_TIME", "0.25"));
    Config c = base.with(Map.of("LB_TABLE", "300"));
    assertEquals(300, c.lbTable());
    assertEquals(List.of("wan1", "wan2"), c.uplinks());
    assertEquals(Duration.ofMillis(250), c.debounceTime());
    Map<String, String> expected = new LinkedHashMap<>(base.toSettings());
    expected.put("LB_TABLE", "300");
    assertEquals(expected, c.toSettings());
    assertThrows(ConfigException.class, () -> base.with(Map.of("LB_TABLE", "255")));
  }

  @Test
  void durationsRoundTripAtNanosecondPrecision() {
    Config c = Config.of(Map.of("HEALTH_CHECK_TIMEOUT", "0.000000001", "DRAIN_TIMEOUT", "12.500"));
    assertEquals(Duration.ofNanos(1), c.healthCheckTimeout());
    assertEquals("0.000000001", c.toSettings().get("HEALTH_CHECK_TIMEOUT"));
    assertEquals("12.5", c.toSettings().get("DRAIN_TIMEOUT"));
    assertThrows(ConfigException.class, () -> Config.of(Map.of("HEALTH_CHECK_TIMEOUT", "0.0000000001")));
  }

  @Test
  void logLevelThreshold() {
    assertTrue(LogLevel.INFO.allows(LogLevel.WARN));
    assertTrue(LogLevel.INFO.allows(LogLevel.INFO));
    assertTrue(!LogLevel.INFO.allows(LogLevel.DEBUG));
  }

  @Test
  void spelling() {
    assertEquals(0, Spelling.distance("ABC", "ABC"));
    assertEquals(1, Spelling.distance("HEALTH_CHEK", "HEALTH_CHECK"));
    assertEquals(3, Spelling.distance("", "abc"));
    assertEquals("METRICS_PORT", Spelling.nearest("METRIC_PORT", Keys.ALL.stream().map(Key::name).toList()));
    assertEquals(null, Spelling.nearest("XYZ", List.of("LB_TABLE")));
  }

  @Test
  void ipLiteralsNeverResolveNames() {
    for (String ok : List.of("0.0.0.0", "255.255.255.255", "::", "::1", "fe80::1", "2001:db8::1.2.3.4",
        "::ffff:192.0.2.1")) {
      assertTrue(IpLiterals.isValid(ok), ok);
    }
    for (String bad : List.of("", "localhost", "01.2.3.4", "1.2.3", "1.2.3.4.5", "[::1]", "fe80::1%eth0",
        "g::1", "1:2:3:4:5:6:7:8:9", "example.com:80")) {
      assertTrue(!IpLiterals.isValid(bad), bad);
    }
  }

  @Test
  void interfaceNames() {
    for (String ok : List.of("eth0", "wlan0", "enp0s31f6.100", "br-1a2b3c4d5e6f", "a", "x".repeat(15), "lte+",
        "usb_0", "...", "alls")) {
      assertTrue(InterfaceNames.isValid(ok), ok);
    }
    // What the kernel refuses, and what it allows but would reach ip, nft or /proc/sys as a surprise.
    for (String bad : List.of("", ".", "..", "all", "default", "x".repeat(16), "ééééééééé", "wwan0-ñ", "eth0:1",
        "a/b", "a b", "a\tb", "a\"b", "a'b", "a\\b", "wan*", "wan;1", "$(x)", "a\u0001b")) {
      assertTrue(!InterfaceNames.isValid(bad), bad);
    }
    assertEquals("character U+003B ';' is not allowed", InterfaceNames.problem("wan;1"));
    assertEquals("character U+0009 is not allowed", InterfaceNames.problem("a\tb"));
    assertEquals("16 characters, more than 15", InterfaceNames.problem("x".repeat(16)));
    assertEquals("'all' is reserved by the kernel", InterfaceNames.problem("all"));
  }

  @Test
  void globs() {
    assertEquals(null, Glob.problem("[]x]*"));
    assertTrue(Glob.matches("[]x]*", "]a"));
    assertTrue(Glob.matches("*", ""));
    assertTrue(Glob.matches("a*b*c", "aXbYbc"));
    assertTrue(!Glob.matches("a*b*c", "aXbYb"));
    assertTrue(Glob.matches("eth[0-2]", "eth1"));
    assertTrue(Glob.matches("eth[^0-2]", "eth3"));
    assertTrue(Glob.problem("eth[0") != null);
    assertTrue(Glob.problem("") != null);
  }
}
