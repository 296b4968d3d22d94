package netbalancer.observe;

/** Address family. The model carries it everywhere so IPv6 uplinks follow without a rewrite. */
public enum Family {
  INET("-4", "ip"), INET6("-6", "ip6");

  private final String ipFlag;
  private final String nftKeyword;

  Family(String ipFlag, String nftKeyword) {
    this.ipFlag = ipFlag;
    this.nftKeyword = nftKeyword;
  }

  /** The flag that selects this family on the {@code ip} command line. */
  public String ipFlag() {
    return ipFlag;
  }

  /** The nft payload keyword of this family ({@code ip} or {@code ip6}). */
  public String nftKeyword() {
    return nftKeyword;
  }

  public static Family of(String address) {
    return address.indexOf(':') >= 0 ? INET6 : INET;
  }

  static Family fromIpJson(String name) {
    return "inet6".equals(name) ? INET6 : INET;
  }
}
