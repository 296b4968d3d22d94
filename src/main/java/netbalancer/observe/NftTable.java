package netbalancer.observe;

import java.util.Map;

/**
 * What we find of our own nft table: whether it exists, the plan fingerprint in its comment, how
 * many rules it holds (to notice a chain flushed by someone else) and the uplink→mark map, which
 * is how a restarted daemon recovers the marks that established connections carry.
 */
public record NftTable(boolean exists, String comment, int ruleCount, Map<String, Long> uplinkMarks) {

  public static final NftTable ABSENT = new NftTable(false, "", 0, Map.of());

  public NftTable {
    uplinkMarks = Map.copyOf(uplinkMarks);
  }
}
