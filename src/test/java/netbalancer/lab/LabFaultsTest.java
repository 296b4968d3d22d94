package netbalancer.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import netbalancer.system.CommandRunner;
import netbalancer.system.RecordingRunner;
import org.junit.jupiter.api.Test;

/** The fault scripts and the lab's confinement to its own namespaces, read from the commands they run. */
class LabFaultsTest {
  private static final String P = "nblab-1-abcd-";
  private final RecordingRunner runner = new RecordingRunner();
  private final LabPlan plan = new LabPlan(List.of("wan1", "wan2", "ppp0"), false, Set.of(3), true,
      i -> P + "isp" + i, P + "client");
  private final LabShell shell = new LabShell(runner, P,
      List.of(P + "router", P + "client", P + "inet", P + "isp1", P + "isp2", P + "isp3"));
  private final LabFaults faults = new LabFaults(shell, plan, i -> P + "isp" + i, P + "router");

  private List<String> commands() {
    return runner.calls().stream().map(RecordingRunner.Call::command).toList();
  }

  private List<String> scripts() {
    return runner.calls().stream().map(RecordingRunner.Call::stdin).toList();
  }

  @Test
  void carrierIsTheIspEndOfTheLink() {
    faults.carrierDown(2);
    faults.carrierUp(2);
    assertEquals(List.of("ip -n nblab-1-abcd-isp2 link set dev cpe0 down",
        "ip -n nblab-1-abcd-isp2 link set dev cpe0 up"), commands());
  }

  @Test
  void blackholeAndLossReplaceTheirChainsContents() {
    faults.blackhole(1, true);
    faults.blackhole(1, false);
    faults.loss(2, 30);
    faults.loss(2, 100);
    faults.loss(2, 0);
    assertEquals(List.of("ip netns exec nblab-1-abcd-isp1 nft -f -"), commands().subList(0, 1));
    assertEquals(List.of(
        "flush chain ip nblab blackhole\nadd rule ip nblab blackhole drop\n",
        "flush chain ip nblab blackhole\n",
        "flush chain ip nblab loss\nadd rule ip nblab loss numgen random mod 100 < 30 drop\n",
        "flush chain ip nblab loss\nadd rule ip nblab loss drop\n", // nft's "mod 100 < 100" does not exist
        "flush chain ip nblab loss\n"), scripts());
    assertThrows(IllegalArgumentException.class, () -> faults.loss(2, 101));
  }

  @Test
  void unblockingIsAddThenDeleteSoItNeverFails() {
    faults.blockTarget(1, "203.0.113.10", true);
    faults.blockTarget(1, "203.0.113.10", false);
    assertEquals(List.of("add element ip nblab blocked { 203.0.113.10 }\n",
        "add element ip nblab blocked { 203.0.113.10 }\ndelete element ip nblab blocked { 203.0.113.10 }\n"),
        scripts());
    for (String bad : new String[] {"203.0.113.256", "example.com", "1.2.3", "203.0.113.10 }; flush ruleset; {"}) {
      assertThrows(IllegalArgumentException.class, () -> faults.blockTarget(1, bad, true), bad);
    }
    assertEquals(2, runner.calls().size(), "a bad address runs nothing");
  }

  @Test
  void aLostGatewayNeighborIsArpOffAtTheIspAndForgottenByTheRouter() {
    faults.gatewayNeighborLost(2, true);
    assertEquals(List.of("ip -n nblab-1-abcd-isp2 link set dev cpe0 arp off",
        "ip -n nblab-1-abcd-isp2 neigh flush dev cpe0", "ip -n nblab-1-abcd-router neigh flush dev wan2"), commands());
    assertThrows(IllegalStateException.class, () -> faults.gatewayNeighborLost(3, true), "ppp0 has no gateway");
  }

  @Test
  void clearFaultsHealsEveryUplinkAndLeavesPointToPointArpAlone() {
    faults.clearFaults();
    assertEquals(List.of(
        "ip -n nblab-1-abcd-isp1 link set dev cpe0 up", "ip netns exec nblab-1-abcd-isp1 nft -f -",
        "ip -n nblab-1-abcd-isp1 link set dev cpe0 arp on",
        "ip -n nblab-1-abcd-isp2 link set dev cpe0 up", "ip netns exec nblab-1-abcd-isp2 nft -f -",
        "ip -n nblab-1-abcd-isp2 link set dev cpe0 arp on",
        "ip -n nblab-1-abcd-isp3 link set dev cpe0 up", "ip netns exec nblab-1-abcd-isp3 nft -f -"), commands());
    assertEquals("flush chain ip nblab blackhole\nflush chain ip nblab loss\nflush set ip nblab blocked\n",
        runner.calls().get(1).stdin());
  }

  @Test
  void theShellRunsOnlyInItsOwnNamespacesAndNotAfterClose() {
    assertThrows(IllegalArgumentException.class, () -> shell.ip("nblab-1-ffff-router", "link"));
    assertThrows(IllegalArgumentException.class, () -> shell.ip("nblab-1-abcd-isp9", "link"));
    assertThrows(IllegalArgumentException.class, () -> shell.addNamespace("other-ns"));
    shell.close();
    assertThrows(IllegalStateException.class, () -> faults.carrierDown(1));
    assertEquals(List.of(), runner.calls());
  }

  @Test
  void namespacedCommandsUseIpDashNOrNetnsExec() {
    CommandRunner in = shell.runnerIn(P + "router");
    in.run("ip", "-j", "route");
    in.run("nft", "list", "tables");
    assertEquals(List.of("ip -n nblab-1-abcd-router -j route", "ip netns exec nblab-1-abcd-router nft list tables"),
        commands());
  }
}
