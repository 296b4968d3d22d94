package netbalancer.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StickyMapsTest {
  /** As nft 1.0.6 prints {@code nft -j list map} of a dynamic map with a timeout (checked in a namespace). */
  static final String LISTED = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"map\": {\"family\": \"inet\","
      + " \"name\": \"sticky_68\", \"table\": \"net_balancer\", \"type\": \"ipv4_addr\", \"map\": \"mark\","
      + " \"flags\": [\"timeout\"], \"timeout\": 600, \"elem\": [[{\"elem\": {\"val\": \"192.0.2.5\", \"expires\": 599}},"
      + " 256], [{\"elem\": {\"val\": \"192.0.2.6\", \"expires\": 599}}, 512], [\"192.0.2.7\", 768]]}}]}";

  @Test
  void theEntriesOfUplinksNotKeptAreStale() {
    assertEquals(List.of("192.0.2.6", "192.0.2.7"), StickyMaps.stale(LISTED, Set.of(0x100L)));
    assertEquals(List.of(), StickyMaps.stale(LISTED, Set.of(0x100L, 0x200L, 0x300L)));
  }
}
