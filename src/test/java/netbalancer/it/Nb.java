package netbalancer.it;

import netbalancer.system.CommandRunner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.system.CommandRunner.Result;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/** Runs the real net-balancer jar inside a lab's router namespace, as a user would. */
final class Nb {
  private Nb() {
  }

  /** Settings every test run needs: state and control socket private to this lab. */
  static Map<String, String> baseEnv(Lab lab) {
    return Lab.balancerSettings(lab.stateDir());
  }

  static List<String> argv(Lab lab, Map<String, String> env, String... args) {
    List<String> argv = new ArrayList<>(List.of("env"));
    Map<String, String> all = new LinkedHashMap<>(baseEnv(lab));
    all.putAll(env);
    all.forEach((k, v) -> argv.add(k + "=" + v));
    argv.addAll(List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m", "-jar",
        Lab.jarPath().toString()));
    argv.addAll(List.of(args));
    return argv;
  }

  static Result run(Lab lab, Map<String, String> env, String... args) {
    return lab.exec(lab.routerNs(), argv(lab, env, args), null, Duration.ofSeconds(60));
  }

  static Result run(Lab lab, String... args) {
    return run(lab, Map.of(), args);
  }

  /** Starts {@code run} and returns after its first apply; its log comes on standard output. */
  static LabProcess daemon(Lab lab, Map<String, String> env, String... extra) {
    return daemonUntil(lab, env, "first apply done", extra);
  }

  /** Starts {@code run} and returns once it logged {@code line} (say, "starting", before it applies). */
  static LabProcess daemonUntil(Lab lab, Map<String, String> env, String line, String... extra) {
    List<String> argv = argv(lab, env, "run");
    argv.addAll(List.of(extra));
    argv.add(argv.indexOf("-jar"), "-Dnetbalancer.log=stdout");
    LabProcess p = lab.start(lab.routerNs(), argv.toArray(String[]::new));
    waitForLog(p, line, Duration.ofSeconds(30));
    return p;
  }

  /** Reads the daemon's log until a line contains {@code text}; returns that line. */
  static String waitForLog(LabProcess p, String text, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no log line with '" + text + "' within " + limit.toMillis() + " ms");
      }
      String line = p.readLine(Duration.ofNanos(left));
      if (line.contains(text)) {
        return line;
      }
    }
  }

  /** The devices in LB_TABLE's default route, as the kernel has them now. */
  static java.util.Set<String> balanced(Lab lab) {
    java.util.Set<String> devs = new java.util.TreeSet<>();
    for (com.fasterxml.jackson.databind.JsonNode r : lab.ipJson(lab.routerNs(), "route", "show", "table", "200")) {
      if (r.has("nexthops")) {
        r.get("nexthops").forEach(h -> devs.add(h.path("dev").asText()));
      } else if (r.has("dev")) {
        devs.add(r.get("dev").asText());
      }
    }
    return devs;
  }

  /** Everything apply and cleanup may touch in the router, as text (nft without counter values). */
  static String kernelDump(Lab lab) {
    StringBuilder sb = new StringBuilder();
    String ns = lab.routerNs();
    for (String[] argv : new String[][] {{"ip", "rule"}, {"ip", "-6", "rule"}, {"ip", "route", "show", "table", "all"},
        {"ip", "-6", "route", "show", "table", "all"}, {"nft", "-s", "list", "ruleset"}}) {
      sb.append("## ").append(String.join(" ", argv)).append('\n').append(lab.exec(ns, argv).stdout());
    }
    List<String> sysctls = new ArrayList<>(List.of("net/ipv4/ip_forward", "net/ipv4/fib_multipath_hash_policy",
        "net/ipv4/fib_multipath_use_neigh"));
    for (int i = 1; i <= lab.uplinkCount(); i++) {
      sysctls.add("net/ipv4/conf/" + lab.uplinkName(i) + "/rp_filter");
    }
    for (String s : sysctls) {
      sb.append(s).append(" = ").append(lab.exec(ns, "cat", "/proc/sys/" + s).stdout().strip()).append('\n');
    }
    return sb.toString();
  }
}
