package netbalancer.health;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which gateways the kernel has resolved, asked both ways: one netlink get per gateway
 * ({@link NeighborGets}) and the text of /proc/net/arp ({@link ArpText}); run in a lab namespace
 * (the socket must be in it). Args: DEVICE=GATEWAY… Prints "same …" or "DIFF …", then "done".
 */
public final class NeighborParity {
  private NeighborParity() {
  }

  public static void main(String[] args) throws Exception {
    List<GatewayNudger.Gateway> gateways = new ArrayList<>();
    for (String a : args) {
      String[] dg = a.split("=");
      gateways.add(new GatewayNudger.Gateway(dg[0], "", dg[1]));
    }
    ArpText text = new ArpText(() -> {
      try {
        return Files.readString(Path.of("/proc/net/arp"));
      } catch (java.io.IOException e) {
        return null;
      }
    });
    boolean[] fellBack = {false};
    ArpText never = new ArpText(() -> {
      fellBack[0] = true;
      return "";
    });
    Set<String> gets = new NeighborGets(never).getsFirst().of(gateways);
    Set<String> arp = text.of(gateways);
    Set<String> arpOfThese = new java.util.TreeSet<>();
    gateways.forEach(g -> {
      if (arp.contains(g.gateway() + " " + g.device())) {
        arpOfThese.add(g.gateway() + " " + g.device());
      }
    });
    System.out.println((!fellBack[0] && new java.util.TreeSet<>(gets).equals(arpOfThese) ? "same " : "DIFF ")
        + "gets " + new java.util.TreeSet<>(gets) + " arp " + arpOfThese + (fellBack[0] ? " (fell back)" : ""));
    System.out.println("done");
  }
}
