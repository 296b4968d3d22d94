package netbalancer.observe;

/** An address on an interface; {@code peer} is set on point-to-point links. */
public record Address(Family family, String local, int prefixLen, String peer, String scope) {

  public boolean global() {
    return "global".equals(scope) || "0".equals(scope);
  }
}
