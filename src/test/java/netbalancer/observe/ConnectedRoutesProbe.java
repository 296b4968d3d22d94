package netbalancer.observe;

import java.util.List;
import netbalancer.system.ProcessRunner;

/**
 * Run inside a lab namespace (ConnectedRoutesIT): prints main's IPv4 connected routes as the
 * kernel dumps them ({@code dumped DST DEV SRC}) and as {@link ConnectedRoutes} derives them from
 * the links' addresses ({@code derived ...}), one per line.
 */
public final class ConnectedRoutesProbe {
  private ConnectedRoutesProbe() {
  }

  public static void main(String[] args) {
    KernelState s = KernelObserver.of(new ProcessRunner(), 213, List.of()).observe();
    s.routes().stream().filter(r -> r.family() == Family.INET && r.table() == KernelObserver.MAIN_TABLE
        && r.protocol() == 2 && r.scope() == 253).forEach(r -> print("dumped", r));
    ConnectedRoutes.ipv4(s.links()).forEach(r -> print("derived", r));
  }

  private static void print(String how, Route r) {
    System.out.println(how + " " + r.dst() + " " + r.nexthops().get(0).dev() + " " + r.prefsrc());
  }
}
