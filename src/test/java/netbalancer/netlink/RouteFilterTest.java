package netbalancer.netlink;

import static netbalancer.netlink.RouteMessage.AF_INET;
import static netbalancer.netlink.RouteMessage.AF_INET6;
import static netbalancer.netlink.RouteMessage.RTM_DELROUTE;
import static netbalancer.netlink.RouteMessage.RTM_NEWROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route monitor's socket filter, run on kernel-layout messages by an interpreter. */
class RouteFilterTest {
  private static final int OURS = 213;
  private static final List<Integer> TABLES = List.of(200, 101, 102, 1000);
  private final List<Bpf> program = RouteFilter.program(OURS, TABLES);

  private boolean passes(byte[] message) {
    return BpfMachine.run(program, message) != 0;
  }

  @Test
  void aFeedsRoutesOfMainAreDropped() {
    for (int family : new int[] {AF_INET, AF_INET6}) {
      int len = family == AF_INET ? 28 : 64;
      assertEquals(false, passes(Fixtures.route(RTM_NEWROUTE, family, len, 254, 12)));
      assertEquals(false, passes(Fixtures.route(RTM_DELROUTE, family, len, 254, 12)));
      assertEquals(false, passes(Fixtures.route(RTM_NEWROUTE, family, len, 254, 186)), "proto bgp");
    }
  }

  @Test
  void defaultsAndConnectedRoutesOfMainPass() {
    for (int family : new int[] {AF_INET, AF_INET6}) {
      for (int type : new int[] {RTM_NEWROUTE, RTM_DELROUTE}) {
        assertTrue(passes(Fixtures.route(type, family, 0, 254, 16)), "a default (dhcp)");
        assertTrue(passes(Fixtures.route(type, family, 0, 254, 3)), "a default (boot)");
        assertTrue(passes(Fixtures.route(type, family, 24, 254, 2)), "a connected route");
      }
    }
  }

  @Test
  void ourTablesPassEvenAbove255AndOtherTablesDoNot() {
    assertTrue(passes(Fixtures.route(RTM_NEWROUTE, AF_INET, 0, 101, 16)));
    assertTrue(passes(Fixtures.route(RTM_DELROUTE, AF_INET6, 0, 200, 16)));
    assertTrue(passes(Fixtures.route(RTM_NEWROUTE, AF_INET, 28, 1000, 12)), "table 1000: rtm_table is 252");
    assertEquals(false, passes(Fixtures.route(RTM_NEWROUTE, AF_INET, 28, 252, 12)), "table compat itself");
    assertEquals(false, passes(Fixtures.route(RTM_NEWROUTE, AF_INET, 0, 7, 16)));
    assertEquals(false, passes(Fixtures.route(RTM_NEWROUTE, AF_INET6, 0, 1001, 16)));
    assertEquals(false, passes(Fixtures.route(RTM_NEWROUTE, AF_INET, 32, 255, 2)), "table local");
  }

  @Test
  void ourAdditionsAreEchoesButOurDeletionsPassInAnyTable() {
    assertEquals(false, passes(Fixtures.route(RTM_NEWROUTE, AF_INET, 0, 101, OURS)));
    assertEquals(false, passes(Fixtures.route(RTM_NEWROUTE, AF_INET, 0, 254, OURS)));
    assertTrue(passes(Fixtures.route(RTM_DELROUTE, AF_INET, 0, 101, OURS)));
    assertTrue(passes(Fixtures.route(RTM_DELROUTE, AF_INET6, 64, 7, OURS)));
  }

  @Test
  void whatIsNotARouteOrHasNoTableAttributePasses() {
    assertTrue(passes(Fixtures.error(-105)));
    assertTrue(passes(Fixtures.error(0)));
    assertTrue(passes(Fixtures.route(RTM_NEWROUTE, AF_INET, 28, 7, 12, false)), "the daemon judges it");
  }

  @Test
  void theFilterAgreesWithTheParserOnEveryCombination() {
    // The filter may pass more than the daemon acts on, never less: compare with the rules.
    List<String> wrong = new ArrayList<>();
    for (int type : new int[] {RTM_NEWROUTE, RTM_DELROUTE}) {
      for (int family : new int[] {AF_INET, AF_INET6}) {
        for (int dstLen : new int[] {0, 8, 24, 64}) {
          for (int table : new int[] {1, 7, 101, 102, 200, 252, 254, 255, 256, 1000, 70000}) {
            for (int proto : new int[] {0, 2, 3, 12, 16, 186, OURS}) {
              byte[] m = Fixtures.route(type, family, dstLen, table, proto);
              RouteMessage r = RouteMessage.parse(Fixtures.datagram(m)).get(0);
              boolean wanted = proto == OURS ? type == RTM_DELROUTE
                  : r.table() == 254 ? dstLen == 0 || proto == 2 : TABLES.contains(r.table());
              if (wanted != passes(m)) {
                wrong.add(r.toString());
              }
            }
          }
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> RouteFilter.program(256, TABLES));
    List<Integer> many = new ArrayList<>();
    for (int i = 0; i < 201; i++) {
      many.add(1000 + i);
    }
    assertThrows(IllegalArgumentException.class, () -> RouteFilter.program(OURS, many));
    assertTrue(BpfMachine.run(RouteFilter.program(OURS, many.subList(0, 200)),
        Fixtures.route(RTM_NEWROUTE, AF_INET, 28, 1199, 12)) != 0, "the last of 200 tables is reached");
  }
}
