package netbalancer.config;

/** BALANCE_MODE: what the kernel's multipath hash spreads over the uplinks. */
public enum BalanceMode {
  /** Each connection (5-tuple) may take a different uplink. */
  CONNECTION(1),
  /** All connections between one pair of hosts take the same uplink (for services that pin a session to a source IP). */
  HOST(0);

  private final int fibMultipathHashPolicy;

  BalanceMode(int fibMultipathHashPolicy) {
    this.fibMultipathHashPolicy = fibMultipathHashPolicy;
  }

  /** The value for net.ipv4.fib_multipath_hash_policy (and its IPv6 twin) that implements this mode. */
  public int fibMultipathHashPolicy() {
    return fibMultipathHashPolicy;
  }
}
