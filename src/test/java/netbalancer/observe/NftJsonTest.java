package netbalancer.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NftJsonTest {
  /** As nft 1.0.6 prints {@code nft -j list table} of ours with a sticky map of {@code sources} entries. */
  static String table(int sources) {
    StringBuilder s = new StringBuilder("{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"json_schema_version\": 1}},"
        + " {\"table\": {\"family\": \"inet\", \"name\": \"net_balancer\", \"handle\": 3}},"
        + " {\"set\": {\"family\": \"inet\", \"name\": \"fingerprint\", \"table\": \"net_balancer\", \"type\": \"ifname\","
        + " \"handle\": 1, \"elem\": [\"a1b2c3d4e5f6\"]}},"
        + " {\"map\": {\"family\": \"inet\", \"name\": \"uplink_mark\", \"table\": \"net_balancer\", \"type\": \"ifname\","
        + " \"handle\": 2, \"map\": \"mark\", \"elem\": [[\"wan1\", 256], [\"wan2\", 512]]}},"
        + " {\"map\": {\"family\": \"inet\", \"name\": \"sticky_7\", \"table\": \"net_balancer\", \"type\": \"ipv4_addr\","
        + " \"handle\": 4, \"map\": \"mark\", \"size\": 65536, \"flags\": [\"timeout\"], \"timeout\": 3600, \"elem\": [");
    for (int i = 0; i < sources; i++) {
      s.append(i == 0 ? "" : ", ").append("[{\"elem\": {\"val\": \"198.18.").append(i >> 8).append('.').append(i & 255)
          .append("\", \"expires\": 3597}}, ").append(256 << (i % 2)).append(']');
    }
    return s.append("]}}, {\"counter\": {\"family\": \"inet\", \"name\": \"new_1\", \"table\": \"net_balancer\","
        + " \"handle\": 5, \"packets\": 17, \"bytes\": 1020}},"
        + " {\"chain\": {\"family\": \"inet\", \"table\": \"net_balancer\", \"name\": \"pre\", \"handle\": 6}},"
        + " {\"rule\": {\"family\": \"inet\", \"table\": \"net_balancer\", \"chain\": \"pre\", \"handle\": 7, \"expr\":"
        + " [{\"mangle\": {\"key\": {\"meta\": {\"key\": \"mark\"}}, \"value\": {\"map\": {\"key\": {\"payload\":"
        + " {\"protocol\": \"ip\", \"field\": \"saddr\"}}, \"data\": \"@sticky_7\"}}}}]}},"
        + " {\"rule\": {\"family\": \"inet\", \"table\": \"net_balancer\", \"chain\": \"pre\", \"handle\": 8, \"expr\":"
        + " [{\"counter\": \"new_1\"}]}}]}").toString();
  }

  @Test
  void theFingerprintMarksCountersAndRulesAreReadAndTheStickyMapSkipped() {
    NftTable t = NftJson.table(table(3));
    assertTrue(t.exists());
    assertEquals("a1b2c3d4e5f6", t.fingerprint());
    assertEquals(2, t.ruleCount());
    assertEquals(Map.of("wan1", 256L, "wan2", 512L), t.uplinkMarks());
    assertEquals(Map.of("new_1", 17L), t.counterPackets());
  }

  @Test
  void aFullStickyMapReadsTheSame() {
    String big = table(65_536);
    assertTrue(big.length() > 3_000_000, "the answer is as big as nft's: " + big.length());
    assertEquals(NftJson.table(table(0)), NftJson.table(big));
  }

  @Test
  void anAnswerWithoutTablesIsATableWithNothingReadInIt() {
    assertEquals(new NftTable(true, "", 0, Map.of()), NftJson.table("[]"));
    assertEquals(new NftTable(true, "", 0, Map.of()), NftJson.table("{\"nftables\": []}"));
  }
}
