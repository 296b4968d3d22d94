package netbalancer.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import netbalancer.system.ProcessRunner;

/**
 * Reads the kernel both ways, by ip processes and over netlink, and prints what differs, field by
 * field; run in a lab namespace (with {@code ip netns exec}: the socket must be in the lab's
 * namespace, never the host's). Args: rtProto, our tables (comma-separated), the devices whose
 * neighbors to read (comma-separated). Prints "same WHAT" or "DIFF WHAT: …" per read, then "done".
 */
public final class ReadParity {
  private ReadParity() {
  }

  public static void main(String[] args) throws Exception {
    int rtProto = Integer.parseInt(args[0]);
    List<Integer> tables = new ArrayList<>();
    for (String t : args[1].split(",")) {
      tables.add(Integer.parseInt(t));
    }
    List<String> devices = List.of(args[2].split(","));
    ProcessRunner runner = new ProcessRunner();
    KernelReads ip = KernelReads.ip(runner);
    KernelReads netlink = NetlinkReads.open();
    for (Family f : Family.values()) {
      compare("family " + f, ip.family(f, devices), netlink.family(f, devices));
      compare("main defaults " + f, ip.mainDefaults(f), netlink.mainDefaults(f));
      compare("main connected " + f, ip.mainConnected(f), netlink.mainConnected(f));
      compare("ours in every table " + f, ip.ours(f, null, rtProto), netlink.ours(f, null, rtProto));
      for (int t : tables) {
        compare("ours in table " + t + " " + f, ip.ours(f, t, rtProto), netlink.ours(f, t, rtProto));
      }
      compare("ours in a table that does not exist " + f, ip.ours(f, 4242, rtProto), netlink.ours(f, 4242, rtProto));
    }
    compare("our nft table", ip.nftTable(), netlink.nftTable());
    // The observers whole: the CLI's (every table) and the daemon's, first and second read.
    compare("the CLI's observer", KernelObserver.of(ip, rtProto, tables).observe(),
        KernelObserver.of(netlink, rtProto, tables).observe());
    KernelObserver daemonIp = KernelObserver.keepingMain(ip, rtProto, tables);
    KernelObserver daemonNetlink = KernelObserver.keepingMain(netlink, rtProto, tables);
    compare("the daemon's first read", daemonIp.observe(), daemonNetlink.observe());
    compare("the daemon's second read", daemonIp.observe(), daemonNetlink.observe());
    System.out.println("done");
  }

  private static void compare(String what, Object ip, Object netlink) {
    if (Objects.equals(ip, netlink)) {
      System.out.println("same " + what + ": " + size(ip));
      return;
    }
    StringBuilder why = new StringBuilder("DIFF " + what + ":");
    if (ip instanceof KernelState a && netlink instanceof KernelState b) {
      diff(why, "links", a.links(), b.links());
      diff(why, "routes", a.routes(), b.routes());
      diff(why, "rules", a.rules(), b.rules());
      diff(why, "neighbors", a.neighbors(), b.neighbors());
      diff(why, "nft", List.of(a.nftTable()), List.of(b.nftTable()));
    } else if (ip instanceof KernelReads.FamilyRead a && netlink instanceof KernelReads.FamilyRead b) {
      diff(why, "links", a.links(), b.links());
      diff(why, "rules", a.rules(), b.rules());
      diff(why, "neighbors", a.neighbors(), b.neighbors());
    } else if (ip instanceof List<?> a && netlink instanceof List<?> b) {
      diff(why, "", a, b);
    }
    System.out.println(why);
  }

  private static void diff(StringBuilder why, String field, List<?> ip, List<?> netlink) {
    if (ip.equals(netlink)) {
      return;
    }
    why.append(' ').append(field).append(" (ip ").append(ip.size()).append(", netlink ").append(netlink.size()).append(')');
    for (int i = 0; i < Math.max(ip.size(), netlink.size()); i++) {
      Object a = i < ip.size() ? ip.get(i) : null;
      Object b = i < netlink.size() ? netlink.get(i) : null;
      if (!Objects.equals(a, b)) {
        why.append(" [").append(i).append("] ip ").append(a).append(" | netlink ").append(b);
      }
    }
  }

  private static String size(Object o) {
    if (o instanceof KernelState s) {
      return s.links().size() + " links, " + s.routes().size() + " routes, " + s.rules().size() + " rules, "
          + s.neighbors().size() + " neighbors";
    }
    if (o instanceof KernelReads.FamilyRead f) {
      return f.links().size() + " links, " + f.rules().size() + " rules, " + f.neighbors().size() + " neighbors";
    }
    return o instanceof List<?> l ? l.size() + "" : String.valueOf(o);
  }
}
