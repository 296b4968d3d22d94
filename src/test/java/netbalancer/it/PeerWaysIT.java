package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import netbalancer.bench.PeerWays;
import netbalancer.lab.HeldConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The peers' rulesets the bench measures (mwan3's, VyOS's) really balance in the lab: rebuilt
 * wrong, they could load and still send everything one way, or break connections, and the bench
 * would compare net-balancer with something no peer runs.
 */
@ExtendWith(HostGuard.class)
class PeerWaysIT {
  private static final int CONNECTIONS = 900;

  @ParameterizedTest
  @EnumSource(PeerWays.Peer.class)
  void splitsNewConnectionsOverEveryUplinkAndKeepsEachOnItsOwn(PeerWays.Peer peer) {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      peer.apply(lab);

      // Both pick an uplink at random per connection: a third each; 900 connections put each
      // share within ±6 points of 33.3 % but once in about 2 000 runs (4 σ).
      LoadReport r = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, CONNECTIONS);
      assertEquals(0, r.failed(), peer + ": " + r);
      for (int i = 1; i <= 3; i++) {
        double share = 100.0 * r.from(lab.ispPublicAddress(i)) / r.succeeded();
        assertTrue(Math.abs(share - 100.0 / 3) <= 6, peer + ": the server saw uplink " + i + " in " + share + " %: " + r);
      }

      // Affinity: the rules pick at random for every packet that reaches them, so a connection
      // keeps its uplink only if its later packets take the connection's mark. A packet sent out
      // another uplink leaves with the wrong source address and that ISP drops it: every held
      // connection must echo, twice, from the address it had.
      try (HeldConnections held = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 150)) {
        assertEquals(150, held.opened().succeeded(), peer + ": " + held.opened());
        assertEquals(3, held.opened().bySource().size(), peer + ": held ones on every uplink: " + held.opened());
        for (int round = 0; round < 2; round++) {
          LoadReport after = held.check();
          assertEquals(150, after.succeeded(), peer + ": every held connection still answers: " + after);
          assertEquals(held.opened().bySource(), after.bySource(), peer + ": each stayed on its uplink");
        }
      }
    }
  }
}
