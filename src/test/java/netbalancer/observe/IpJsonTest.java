package netbalancer.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our typed routes (a policy's last resort) are read back, so apply twice changes nothing and cleanup finds them. */
class IpJsonTest {
  /** As ip 6.1 prints {@code ip -j -d -N route show table 300 proto 213} (checked in a namespace). */
  static final String TYPED = "[{\"type\":\"7\",\"dst\":\"default\",\"scope\":\"0\",\"flags\":[]},"
      + "{\"type\":\"6\",\"dst\":\"198.18.0.0/24\",\"scope\":\"0\",\"flags\":[]},"
      + "{\"type\":\"3\",\"dst\":\"198.18.1.0\",\"scope\":\"253\",\"flags\":[]}]";

  @Test
  void ownRoutesIncludeUnreachableAndBlackholeOtherTypesAreLeftOut() throws Exception {
    List<Route> ours = new ArrayList<>();
    IpJson.forEachElement(TYPED, (q, n) -> {
      Route r = IpJson.ownRoute(n, Family.INET, 300, 213);
      if (r != null) {
        ours.add(r);
      }
    });
    assertEquals(List.of(
        new Route(Family.INET, 300, "default", List.of(), 213, 0, null, null, false, Route.UNREACHABLE),
        new Route(Family.INET, 300, "198.18.0.0/24", List.of(), 213, 0, null, null, false, Route.BLACKHOLE)), ours);
    // Elsewhere (the main table's view) a typed route is still no route of an uplink.
    assertNull(IpJson.route(new ObjectMapper().readTree(TYPED).get(0), Family.INET, 254, 0));
  }
}
