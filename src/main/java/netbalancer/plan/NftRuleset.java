package netbalancer.plan;

/**
 * Our nft table as text, with the fingerprint stored inside it and the number of rules it holds,
 * so that the next apply can tell, from one {@code nft -j list table}, whether it still stands.
 */
public record NftRuleset(String text, String fingerprint, int ruleCount) {

  public static final NftRuleset EMPTY = new NftRuleset("", "", 0);

  public boolean isEmpty() {
    return text.isEmpty();
  }
}
