package netbalancer.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabProcess;
import netbalancer.observe.KernelObserver;
import netbalancer.system.CommandRunner;
import netbalancer.system.CommandRunner.Result;

/**
 * The ITs' short names for the lab's balancer handle ({@link LabBalancer}): the real jar in a
 * lab's router, as a user runs it.
 */
final class Nb {
  private Nb() {
  }

  static LabBalancer balancer(Lab lab, Map<String, String> env) {
    return LabBalancer.in(lab).with(env);
  }

  static List<String> argv(Lab lab, Map<String, String> env, String... args) {
    return balancer(lab, env).argv(args);
  }

  static Result run(Lab lab, Map<String, String> env, String... args) {
    return balancer(lab, env).run(args);
  }

  static Result run(Lab lab, String... args) {
    return run(lab, Map.of(), args);
  }

  /** Starts {@code run} and returns after its first apply; its log comes on standard output. */
  static LabProcess daemon(Lab lab, Map<String, String> env, String... extra) {
    return balancer(lab, env).start(extra).process();
  }

  /** Starts {@code run} and returns once it logged {@code line} (say, "starting", before it applies). */
  static LabProcess daemonUntil(Lab lab, Map<String, String> env, String line, String... extra) {
    return balancer(lab, env).startUntil(line, extra).process();
  }

  /** Reads the daemon's log until a line contains {@code text}; returns that line. */
  static String waitForLog(LabProcess p, String text, Duration limit) {
    return p.awaitLine(text, limit);
  }

  /** The devices in LB_TABLE's default route, as the kernel has them now. */
  static Set<String> balanced(Lab lab) {
    return LabBalancer.in(lab).balanced();
  }

  /** Everything apply and cleanup may touch in the router, as text (nft without counter values). */
  static String kernelDump(Lab lab) {
    StringBuilder sb = new StringBuilder();
    String ns = lab.routerNs();
    for (String[] argv : new String[][] {{"ip", "rule"}, {"ip", "-6", "rule"}, {"ip", "route", "show", "table", "all"},
        {"ip", "-6", "route", "show", "table", "all"}, {"nft", "-s", "list", "ruleset"}}) {
      sb.append("## ").append(String.join(" ", argv)).append('\n').append(withoutPendingSyns(lab.exec(ns, argv).stdout()));
    }
    List<String> sysctls = new ArrayList<>(List.of("net/ipv4/ip_forward", "net/ipv4/fib_multipath_hash_policy",
        "net/ipv4/fib_multipath_use_neigh"));
    sysctls.addAll(List.of("net/ipv6/conf/all/forwarding", "net/ipv6/fib_multipath_hash_policy"));
    for (int i = 1; i <= lab.uplinkCount(); i++) {
      sysctls.add("net/ipv4/conf/" + lab.uplinkName(i) + "/rp_filter");
      sysctls.add("net/ipv6/conf/" + lab.uplinkName(i) + "/accept_ra");
    }
    // One process reads them all (a process in a namespace costs 50-100 ms on a loaded machine, and
    // ITs dump the kernel hundreds of times): grep -H prints "FILE:VALUE"; -s: a missing one is empty.
    List<String> argv = new ArrayList<>(List.of("grep", "-s", "-H", ""));
    sysctls.forEach(s -> argv.add("/proc/sys/" + s));
    Map<String, String> values = new HashMap<>();
    for (String line : lab.exec(ns, argv, null, CommandRunner.DEFAULT_TIMEOUT).stdout().split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        values.put(line.substring("/proc/sys/".length(), colon), line.substring(colon + 1).strip());
      }
    }
    for (String s : sysctls) {
      sb.append(s).append(" = ").append(values.getOrDefault(s, "")).append('\n');
    }
    return sb.toString();
  }

  /**
   * The ruleset without the elements of the unanswered-SYN set: the kernel adds and times them
   * out with the traffic (the passive evidence), so they are state of the moment, not of the plan.
   */
  static String withoutPendingSyns(String nft) {
    StringBuilder out = new StringBuilder();
    boolean inSet = false;
    boolean inElements = false;
    for (String line : nft.split("\n", -1)) {
      String t = line.strip();
      if (t.startsWith("set " + KernelObserver.SYN_SET + " ") || t.startsWith("set " + KernelObserver.SYN_SET6 + " ")) {
        inSet = true;
      } else if (inSet && t.equals("}")) {
        inSet = false;
      }
      if (inSet && t.startsWith("elements = {")) {
        inElements = !t.endsWith("}");
        continue;
      }
      if (inElements) {
        inElements = !t.endsWith("}");
        continue;
      }
      out.append(line).append('\n');
    }
    return out.substring(0, out.length() - 1);
  }
}
