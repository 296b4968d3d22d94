package netbalancer.observe;

import java.util.List;
import netbalancer.netlink.NftDumps;
import netbalancer.system.ProcessRunner;

/**
 * The unanswered-SYN sets read over nfnetlink against nft's JSON listing, in a process of its own
 * in the lab's router namespace (run with {@code ip netns exec}). Prints per family "same N" or
 * "differ" with both readings (the seconds left may differ by one: the two reads are not at the
 * same instant), then "done".
 */
public final class SynParity {
  private SynParity() {
  }

  public static void main(String[] args) throws Exception {
    try (NftDumps nft = NftDumps.open()) {
      for (Family f : Family.values()) {
        // nft prints a set sorted, the kernel dumps a hash set in its own order: compared sorted.
        List<PendingSyn> netlink = sorted(KernelObserver.pendingSyns(nft, f));
        List<PendingSyn> json = sorted(KernelObserver.pendingSyns(new ProcessRunner(), f));
        boolean same = netlink != null && json != null && netlink.size() == json.size();
        for (int i = 0; same && i < netlink.size(); i++) {
          PendingSyn a = netlink.get(i);
          PendingSyn b = json.get(i);
          same = a.source().equals(b.source()) && a.sourcePort() == b.sourcePort()
              && a.destination().equals(b.destination()) && a.destinationPort() == b.destinationPort()
              && a.uplink().equals(b.uplink()) && Math.abs(a.expiresSeconds() - b.expiresSeconds()) <= 1;
        }
        System.out.println(same ? "same " + f + " " + netlink.size() + " " + netlink : "differ " + f + " " + netlink
            + " against " + json);
      }
    }
    System.out.println("done");
  }

  private static List<PendingSyn> sorted(List<PendingSyn> syns) {
    return syns == null ? null : syns.stream()
        .sorted(java.util.Comparator.comparing(PendingSyn::source).thenComparingInt(PendingSyn::sourcePort)).toList();
  }
}
