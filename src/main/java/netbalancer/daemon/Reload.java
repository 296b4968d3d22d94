package netbalancer.daemon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.log.Log;

/**
 * What a reload (SIGHUP) may change. Every setting takes effect at once except those in {@link
 * #RESTART_ONLY}, whose change is refused with a warning that names it: the running daemon keeps
 * their old value until the next start.
 *
 * <ul>
 *   <li>LB_RT_PROTO tags every route and rule of ours. Changing it under a running data plane would
 *       orphan them (a crash would leave them for a cleanup that looks for the new tag); at the next
 *       start, the stop cleans up by the old tag and the start applies with the new one.
 *   <li>STATE_DIR holds the sysctl originals and the instance lock of this run.
 *   <li>CONTROL_SOCKET is the socket clients of this run know.
 * </ul>
 */
final class Reload {
  static final List<String> RESTART_ONLY = List.of("LB_RT_PROTO", "STATE_DIR", "CONTROL_SOCKET");

  private Reload() {
  }

  /** {@code next} with the restart-only settings of {@code running}; warns for each one refused. */
  static Config effective(Config running, Config next) {
    Map<String, String> was = running.toSettings();
    Map<String, String> now = next.toSettings();
    Map<String, String> kept = new LinkedHashMap<>();
    for (String key : RESTART_ONLY) {
      if (!was.get(key).equals(now.get(key))) {
        Log.warn("reload: %s changed %s -> %s: needs a restart (systemctl restart net_balancer); still using %s",
            key, was.get(key), now.get(key), was.get(key));
        kept.put(key, was.get(key));
      }
    }
    return kept.isEmpty() ? next : next.with(kept);
  }

  /** The keys whose values differ, in key order. */
  static List<String> changed(Config before, Config after) {
    Map<String, String> a = before.toSettings();
    Map<String, String> b = after.toSettings();
    List<String> out = new ArrayList<>();
    a.forEach((k, v) -> {
      if (!v.equals(b.get(k))) {
        out.add(k);
      }
    });
    return out;
  }
}
