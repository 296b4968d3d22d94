package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicySharesTest {
  private static List<Map<String, Object>> rows(String... names) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String n : names) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", n);
      out.add(row);
    }
    return out;
  }

  @Test
  void eachPolicysShareIsOfEveryNewConnectionTheUnmatchedIncluded() {
    List<Map<String, Object>> rows = DaemonStatus.withShares(rows("voip", "guests"),
        Map.of("policy_new_0", 500L, "policy_new_1", 300L, "policy_new_2", 200L, "new_1", 999L));
    assertEquals(300L, rows.get(0).get("newConnections"));
    assertEquals(30.0, rows.get(0).get("share"));
    assertEquals(20.0, rows.get(1).get("share"));
    assertEquals(500L, DaemonStatus.unmatched(Map.of("policy_new_0", 500L)));
  }

  @Test
  void noCountersYetNoShare() {
    List<Map<String, Object>> rows = DaemonStatus.withShares(rows("voip"), Map.of());
    assertEquals(0L, rows.get(0).get("newConnections"));
    assertNull(rows.get(0).get("share"));
  }
}
