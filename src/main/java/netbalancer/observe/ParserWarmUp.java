package netbalancer.observe;

/**
 * Runs the parsers of a first read once over made-up answers (documentation addresses): in a
 * just-started JVM, Jackson's streaming parser and tree classes are loaded and their code run
 * for the first time by whichever read finishes first, on the first pass's path. Run on the
 * daemon's warm-up thread while the reads' processes start. Pure work: nothing is read or written.
 */
public final class ParserWarmUp {
  private static final String BATCH = "[{\"ifindex\":2,\"ifname\":\"warm0\",\"flags\":[\"BROADCAST\",\"UP\",\"LOWER_UP\"],"
      + "\"linkinfo\":{\"info_kind\":\"veth\"},\"addr_info\":[{\"family\":\"inet\",\"local\":\"192.0.2.2\","
      + "\"prefixlen\":30,\"scope\":\"global\"}]}]\n"
      + "[{\"priority\":0,\"src\":\"all\",\"table\":\"255\"},{\"priority\":100,\"src\":\"192.0.2.2\",\"srclen\":32,"
      + "\"fwmark\":\"0x100\",\"fwmask\":\"0xff00\",\"table\":\"101\",\"protocol\":213}]\n"
      + "[{\"dst\":\"192.0.2.1\",\"lladdr\":\"02:00:00:00:00:01\",\"state\":[\"REACHABLE\"]}]\n";
  private static final String ROUTES = "[{\"type\":\"1\",\"dst\":\"default\",\"gateway\":\"192.0.2.1\",\"dev\":\"warm0\","
      + "\"protocol\":213,\"scope\":0,\"flags\":[]},{\"type\":\"1\",\"dst\":\"default\",\"protocol\":213,\"scope\":0,"
      + "\"flags\":[],\"nexthops\":[{\"gateway\":\"192.0.2.1\",\"dev\":\"warm0\",\"weight\":2,\"flags\":[]}]}]\n";
  private static final String NFT = "{\"nftables\":[{\"metainfo\":{\"version\":\"1.0.6\"}},{\"table\":{\"family\":\"inet\","
      + "\"name\":\"warm\",\"handle\":1}},{\"set\":{\"name\":\"fingerprint\",\"elem\":[\"x\"]}},{\"map\":{\"name\":"
      + "\"uplink_mark\",\"elem\":[[\"warm0\",256]]}},{\"counter\":{\"name\":\"c\",\"packets\":1}},{\"rule\":{}}]}";

  private ParserWarmUp() {
  }

  /** @return how many elements were read (a test's question: the parsers ran, not merely loaded) */
  public static int run() {
    int[] seen = new int[1];
    IpJson.forEachElement(BATCH, (q, n) -> {
      if (q == 0) {
        IpJson.link(n);
      } else if (q == 1) {
        IpJson.rule(n, Family.INET);
      } else {
        IpJson.neighbor(n, "warm0");
      }
      seen[0]++;
    });
    IpJson.forEachElement(ROUTES, (q, n) -> {
      IpJson.ownRoute(n, Family.INET, 101, 213);
      seen[0]++;
    });
    IpJson.forEachElementWhile(new java.io.ByteArrayInputStream(ROUTES.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        n -> {
          IpJson.route(n, Family.INET, KernelObserver.MAIN_TABLE, 0);
          seen[0]++;
          return true;
        });
    seen[0] += NftJson.table(NFT).ruleCount();
    return seen[0];
  }
}
