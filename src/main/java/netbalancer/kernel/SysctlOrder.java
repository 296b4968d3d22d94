package netbalancer.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The two sysctl rules that are not plain "set it to the plan's value". accept_ra is written
 * before the forwarding switch: turning IPv6 forwarding on purges the default routes learned from
 * router advertisements on every interface whose accept_ra is not 2 yet. And accept_ra is raised
 * only from 1 (accept unless forwarding) to 2: 0 means the operator wants no advertisements.
 */
final class SysctlOrder {
  private static final String ACCEPT_RA = "/accept_ra";

  private SysctlOrder() {
  }

  /** {@code paths} in the order to write them: accept_ra first, otherwise as given. */
  static List<String> writeOrder(Collection<String> paths) {
    List<String> out = new ArrayList<>(paths);
    out.sort(Comparator.comparing((String p) -> !p.endsWith(ACCEPT_RA))); // stable: the rest keep their order
    return out;
  }

  /** Whether the plan may change {@code path} from its value {@code now}. */
  static boolean mayChange(String path, String now) {
    return !path.endsWith(ACCEPT_RA) || "1".equals(now);
  }
}
