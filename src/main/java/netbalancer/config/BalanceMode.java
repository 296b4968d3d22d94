package netbalancer.config;

/** BALANCE_MODE: what the kernel's multipath hash spreads over the uplinks. */
public enum BalanceMode {
  /** Each connection (5-tuple) may take a different uplink. */
  CONNECTION(1),
  /** All traffic between two hosts takes one uplink (for services that tie a session to the client's address). */
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
