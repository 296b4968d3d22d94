package netbalancer.observe;

/**
 * An address on an interface; {@code peer} is set on point-to-point links. The flags matter for
 * IPv6: a tentative (duplicate address detection not done) or deprecated (preferred lifetime
 * over) address must not be a new connection's source, and a temporary (privacy) one changes
 * every day, so translation prefers a stable one.
 */
public record Address(Family family, String local, int prefixLen, String peer, String scope,
    boolean tentative, boolean deprecated, boolean temporary) {

  /** An address without IPv6 flags (every IPv4 address). */
  public Address(Family family, String local, int prefixLen, String peer, String scope) {
    this(family, local, prefixLen, peer, scope, false, false, false);
  }

  public boolean global() {
    return "global".equals(scope) || "0".equals(scope);
  }

  /** Global, and fit to be a new connection's source now. */
  public boolean usableSource() {
    return global() && !tentative && !deprecated;
  }
}
