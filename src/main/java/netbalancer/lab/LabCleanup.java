package netbalancer.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import netbalancer.system.CommandException;
import netbalancer.system.CommandRunner;
import netbalancer.system.CommandRunner.Result;

/** Removing lab namespaces: one lab's on close, or any dead process's on a sweep. */
final class LabCleanup {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CommandRunner runner;

  LabCleanup(CommandRunner runner) {
    this.runner = runner;
  }

  /** Kills every process still inside {@code ns} (by PID), then deletes it; quiet if it is gone. */
  void remove(String ns) {
    if (!ns.startsWith(LabNames.PREFIX)) {
      throw new IllegalArgumentException("not a lab namespace: " + ns);
    }
    Result pids = runner.run("ip", "netns", "pids", ns);
    if (pids.ok()) {
      for (String pid : pids.stdout().split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> h).join();
          });
        }
      }
    }
    Result r = runner.run("ip", "netns", "del", ns);
    if (!r.ok() && listNamespaces().contains(ns)) {
      throw new CommandException(List.of("ip", "netns", "del", ns), r);
    }
  }

  /**
   * Removes lab namespaces whose creator has exited, and kept ones too if {@code kept}; returns
   * those that remain.
   */
  Set<String> sweepStale(boolean kept) {
    Set<String> remaining = new HashSet<>();
    for (String ns : listNamespaces()) {
      if (!ns.startsWith(LabNames.PREFIX)) {
        continue;
      }
      String marker = marker(ns);
      if (LabNames.KEPT.equals(marker) ? !kept : LabNames.ownerAlive(ns, marker)) {
        remaining.add(ns);
      } else {
        remove(ns);
      }
    }
    return remaining;
  }

  private String marker(String ns) {
    Result r = runner.run("ip", "-j", "-n", ns, "link", "show", "dev", "lo");
    if (!r.ok()) {
      return null;
    }
    try {
      JsonNode alias = JSON.readTree(r.stdout()).path(0).path("ifalias");
      return alias.isTextual() ? alias.asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code ip netns list} prints "NAME (id: N)" or just "NAME". */
  List<String> listNamespaces() {
    Result r = runner.check("ip", "netns", "list");
    List<String> names = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        names.add(line.trim().split("\\s+")[0]);
      }
    }
    return names;
  }
}
