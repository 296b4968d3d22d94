package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import netbalancer.lab.Lab;
import netbalancer.observe.ConnectedRoutesProbe;
import netbalancer.system.CommandRunner;
import org.junit.jupiter.api.Test;

/**
 * The daemon's first read derives main's IPv4 connected routes from the addresses instead of
 * waiting for their dump (a walk of all of main). On the real kernel, for the kinds of address an
 * uplink has — a prefix, a secondary of it, a point-to-point peer (a host and a prefix), a /32
 * alone, a link administratively down, a link without carrier — the derivation must be exactly
 * the kernel's; the one deliberate difference is an address marked {@code noprefixroute}, whose
 * manager adds the route itself (NetworkManager does, as {@code proto kernel}).
 */
class ConnectedRoutesIT {
  @Test
  void theRoutesDerivedFromTheAddressesAreTheKernelsOwn() {
    try (Lab lab = Lab.create(2)) {
      String ns = lab.routerNs();
      String batch = String.join("\n",
          "link add nbt0 type veth peer name nbt1",
          "link set nbt0 up", "link set nbt1 up",
          "address add 198.18.200.1/24 dev nbt0",
          "address add 198.18.200.2/24 dev nbt0",
          "address add 198.18.201.2 peer 198.18.201.1/32 dev nbt1",
          "address add 198.18.202.2 peer 198.18.203.1/30 dev nbt1",
          "address add 198.18.204.1/32 dev nbt1",
          "address add 198.18.205.1/24 dev nbt1 noprefixroute",
          "link add nbt2 type veth peer name nbt3",
          "address add 198.18.206.1/24 dev nbt2",
          "link add nbt4 type veth peer name nbt5",
          "link set nbt4 up",
          "address add 198.18.207.1/24 dev nbt4") + "\n";
      CommandRunner.Result made = lab.exec(ns, List.of("ip", "-batch", "-"), batch, Duration.ofSeconds(10));
      assertTrue(made.ok(), made.stderr());
      CommandRunner.Result out = lab.exec(ns, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ConnectedRoutesProbe.class.getName()), null,
          Duration.ofSeconds(60));
      assertTrue(out.ok(), out.stderr());
      Set<String> dumped = new TreeSet<>();
      Set<String> derived = new TreeSet<>();
      for (String line : out.stdout().strip().split("\n")) {
        (line.startsWith("dumped ") ? dumped : derived).add(line.substring(line.indexOf(' ') + 1));
      }
      assertTrue(dumped.contains("198.18.201.1 nbt1 198.18.201.2"), "the kernel's host route to a peer: " + dumped);
      assertTrue(dumped.contains("198.18.207.0/24 nbt4 198.18.207.1"), "kept without carrier (linkdown): " + dumped);
      assertTrue(dumped.stream().anyMatch(r -> r.startsWith(lab.uplinkName(1) + " ") || r.contains(" " + lab.uplinkName(1) + " ")),
          "the lab's uplinks are among them: " + dumped);
      Set<String> expected = new TreeSet<>(dumped);
      expected.add("198.18.205.0/24 nbt1 198.18.205.1"); // noprefixroute: derived, not made by the kernel
      assertEquals(expected, derived);
    }
  }
}
