package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class NftSessionTest {
  /** Answers as nft -j -i does: one line per command; for an error, three on standard error. */
  private static final String FAKE_NFT = "while read -r c; do case \"$c\" in"
      + " 'list set inet net_balancer gone') echo 'Error: No such file or directory' >&2;"
      + " echo \"$c\" >&2; echo '               ^^' >&2 ;;"
      + " 'list set inet net_balancer die') exit 1 ;;"
      + " 'list set '*) echo '{\"nftables\": [{\"set\": {\"name\": \"syn_sent\"}}]}' ;;"
      + " esac; done";

  @Test
  void oneProcessAnswersEveryListingAndTellsAnAbsentSetFromAFailure() {
    try (NftSession s = new NftSession(List.of("sh", "-c", FAKE_NFT))) {
      String set = "{\"nftables\": [{\"set\": {\"name\": \"syn_sent\"}}]}";
      assertEquals(set, s.listSet("inet", "net_balancer", "syn_sent"));
      assertEquals("", s.listSet("inet", "net_balancer", "gone"), "nft answered: no such set");
      assertEquals(set, s.listSet("inet", "net_balancer", "syn_sent"), "still in step after an error");
    }
  }

  @Test
  void aDeadNftIsReplacedOnTheNextCall() {
    try (NftSession s = new NftSession(List.of("sh", "-c", FAKE_NFT))) {
      assertNull(s.listSet("inet", "net_balancer", "die"), "it exited: a failure, not an answer");
      assertEquals("{\"nftables\": [{\"set\": {\"name\": \"syn_sent\"}}]}", s.listSet("inet", "net_balancer", "syn_sent"));
    }
  }

  @Test
  void noNftAtAllIsAFailure() {
    try (NftSession s = new NftSession(List.of("/nonexistent/nft"))) {
      assertNull(s.listSet("inet", "net_balancer", "syn_sent"));
    }
  }
}
