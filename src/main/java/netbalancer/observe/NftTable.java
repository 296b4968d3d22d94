package netbalancer.observe;

import java.util.Map;

/**
 * What we find of our own nft table: whether it exists, the plan fingerprint in its one-element set, how
 * many rules it holds (to notice a chain flushed by someone else) and the uplink→mark map, which
 * is how a restarted daemon recovers the marks that established connections carry. Named
 * counters ({@code new_I}) count new outbound connections per uplink.
 */
public record NftTable(boolean exists, String fingerprint, int ruleCount, Map<String, Long> uplinkMarks,
    Map<String, Long> counterPackets) {

  public static final NftTable ABSENT = new NftTable(false, "", 0, Map.of(), Map.of());
  /** The one-element set (type ifname) holding the plan's fingerprint: nft 1.0.6 leaves table comments out of its JSON. */
  public static final String FINGERPRINT_SET = "fingerprint";
  /** The uplink → mark map (ifname : mark). */
  public static final String MARK_MAP = "uplink_mark";

  public NftTable {
    uplinkMarks = Map.copyOf(uplinkMarks);
    counterPackets = Map.copyOf(counterPackets);
  }

  public NftTable(boolean exists, String fingerprint, int ruleCount, Map<String, Long> uplinkMarks) {
    this(exists, fingerprint, ruleCount, uplinkMarks, Map.of());
  }
}
