package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The kernel dump leaves out only what the kernel changes with traffic. */
class NbTest {
  private static final String PLAN = """
      table inet net_balancer {
      \tmap snat4 {
      \t\ttype ifname : ipv4_addr
      \t\telements = { "wan1" : 198.18.1.2 }
      \t}
      \tset syn_sent {
      \t\ttype ipv4_addr . inet_service . ipv4_addr . inet_service . ifname
      \t\tsize 4096
      \t\tflags dynamic,timeout
      \t\ttimeout 10s
      %s\t}
      }""";

  @Test
  void pendingSynElementsAreLeftOutAndEverythingElseStays() {
    String many = "\t\telements = { 198.18.3.2 . 57103 . 203.0.113.10 . 8080 . \"wan3\",\n"
        + "\t\t\t     198.18.3.2 . 48679 . 203.0.113.10 . 8080 . \"wan3\" }\n";
    String one = "\t\telements = { 198.18.3.2 . 57103 . 203.0.113.10 . 8080 . \"wan3\" }\n";
    String none = PLAN.formatted("");
    assertEquals(none, Nb.withoutPendingSyns(PLAN.formatted(many)));
    assertEquals(none, Nb.withoutPendingSyns(PLAN.formatted(one)));
    assertEquals(none, Nb.withoutPendingSyns(none), "the snat map's elements stay");
  }
}
