package netbalancer.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import netbalancer.observe.Family;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.KernelState;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;
import netbalancer.plan.IpCommands;
import netbalancer.plan.Plan;
import netbalancer.plan.StateDiff;
import netbalancer.system.CommandRunner;

/**
 * Makes the kernel match a plan: one {@code ip -batch} for every route and rule, one atomic
 * {@code nft -f} for the table, and /proc/sys writes for sysctls. Subprocesses per apply are a
 * small constant (at most two), however many uplinks there are.
 */
public final class KernelApplier {
  private static final String NFT_TABLE = KernelObserver.NFT_FAMILY + " " + KernelObserver.NFT_TABLE;

  private final CommandRunner runner;
  private final Sysctls sysctls;
  private final StateStore store;
  private final int rtProto;

  public KernelApplier(CommandRunner runner, Sysctls sysctls, StateStore store, int rtProto) {
    this.runner = runner;
    this.sysctls = sysctls;
    this.store = store;
    this.rtProto = rtProto;
  }

  public ApplyResult apply(Plan plan, KernelState current) {
    List<String> errors = new ArrayList<>();
    store.discardIfStale(oursInKernel(current, store.protocols()));
    store.rememberProtocol(rtProto); // on disk before anything is tagged with it
    int sysctlChanges = applySysctls(plan.sysctls(), errors);
    StateDiff diff = StateDiff.between(plan, current, rtProto);
    int subprocesses = 0;
    // nft first: a new uplink's marks and SNAT exist before a route sends traffic out of it.
    if (diff.replaceNft()) {
      subprocesses++;
      // Replace atomically in one transaction; a table that is not there needs no delete (and
      // the in-transaction delete is most of the cost of a first apply).
      String script = (current.nftTable().exists()
          ? "add table " + NFT_TABLE + "\ndelete table " + NFT_TABLE + "\n" : "") + plan.nft().text();
      runInto(List.of("nft", "-f", "-"), script, errors);
    } else if (diff.deleteNft()) {
      subprocesses++;
      runInto(List.of("nft", "delete", "table", KernelObserver.NFT_FAMILY, KernelObserver.NFT_TABLE), null, errors);
    }
    if (!diff.ipBatch().isEmpty()) {
      subprocesses++;
      runInto(List.of("ip", "-force", "-batch", "-"), String.join("\n", diff.ipBatch()) + "\n", errors);
    }
    if (!diff.ipBatch6().isEmpty()) {
      subprocesses++;
      runInto(List.of("ip", "-6", "-force", "-batch", "-"), String.join("\n", diff.ipBatch6()) + "\n", errors);
    }
    return new ApplyResult(diff.ipChanges(), diff.replaceNft() || diff.deleteNft(), sysctlChanges,
        subprocesses, errors);
  }

  /**
   * Deletes the sticky policies' entries of uplinks they may not use now.
   *
   * @param keep per sticky map, the uplink marks its entries may hold
   * @return the errors; empty when every map is as asked
   */
  public List<String> purgeSticky(Map<String, Set<Long>> keep) {
    List<String> errors = new ArrayList<>();
    StickyMaps.purge(runner, keep, errors);
    return errors;
  }

  /**
   * Removes every route, rule and nft table of ours and puts back the sysctls we changed. Ours:
   * tagged with LB_RT_PROTO or with a protocol STATE_DIR recorded at an earlier apply, so a
   * changed LB_RT_PROTO or a configuration that no longer loads leaves nothing behind. The state
   * file is checked first: one that is refused stops the cleanup before anything is touched.
   */
  public ApplyResult cleanup(KernelState current) {
    Set<Integer> protocols = new TreeSet<>(store.protocols());
    protocols.add(rtProto);
    store.discardIfStale(oursInKernel(current, protocols));
    Map<String, String> originals = store.originals();
    List<String> errors = new ArrayList<>();
    int changes = 0;
    int subprocesses = 0;
    for (Family family : Family.values()) {
      List<String> lines = new ArrayList<>();
      for (Rule r : current.rules()) {
        if (protocols.contains(r.protocol()) && r.family() == family) {
          lines.add(IpCommands.rule("del", r));
        }
      }
      for (Route r : current.routes()) {
        if (protocols.contains(r.protocol()) && r.family() == family) {
          lines.add(IpCommands.routeDelete(r));
        }
      }
      if (!lines.isEmpty()) {
        subprocesses++;
        changes += lines.size();
        runInto(List.of("ip", family.ipFlag(), "-force", "-batch", "-"), String.join("\n", lines) + "\n", errors);
      }
    }
    if (current.nftTable().exists()) {
      subprocesses++;
      runInto(List.of("nft", "delete", "table", KernelObserver.NFT_FAMILY, KernelObserver.NFT_TABLE), null, errors);
    }
    int restored = 0;
    for (Map.Entry<String, String> e : originals.entrySet()) {
      if (sysctls.read(e.getKey()).filter(v -> !v.equals(e.getValue())).isPresent()) {
        sysctls.write(e.getKey(), e.getValue());
        restored++;
      }
    }
    if (errors.isEmpty()) {
      store.clear();
    }
    return new ApplyResult(changes, current.nftTable().exists(), restored, subprocesses, errors);
  }

  /** Whether the namespace holds anything of ours: then a state file for it is not a stranger's. */
  private boolean oursInKernel(KernelState current, Set<Integer> recorded) {
    return current.nftTable().exists()
        || current.rules().stream().anyMatch(r -> r.protocol() == rtProto || recorded.contains(r.protocol()))
        || current.routes().stream().anyMatch(r -> r.protocol() == rtProto || recorded.contains(r.protocol()));
  }

  private int applySysctls(Map<String, String> wanted, List<String> errors) {
    int restored = restoreUnwanted(wanted);
    Map<String, String> originals = new LinkedHashMap<>();
    for (String path : SysctlOrder.writeOrder(wanted.keySet())) {
      // An interface that vanished since the read has no sysctl left to set.
      sysctls.read(path).filter(now -> !now.equals(wanted.get(path)) && SysctlOrder.mayChange(path, now))
          .ifPresent(now -> originals.put(path, now));
    }
    if (originals.isEmpty()) {
      return restored;
    }
    store.rememberOriginals(originals); // on disk before anything changes: a crash cannot lose one
    int changes = restored;
    for (String path : originals.keySet()) {
      try {
        sysctls.write(path, wanted.get(path));
        changes++;
      } catch (RuntimeException ex) {
        errors.add(ex.getMessage());
      }
    }
    return changes;
  }

  /** A sysctl we changed that the plan no longer needs (its uplink left) gets its original back. */
  private int restoreUnwanted(Map<String, String> wanted) {
    Map<String, String> originals = store.originals();
    List<String> done = new ArrayList<>();
    int restored = 0;
    for (Map.Entry<String, String> e : originals.entrySet()) {
      if (wanted.containsKey(e.getKey())) {
        continue;
      }
      if (sysctls.read(e.getKey()).filter(v -> !v.equals(e.getValue())).isPresent()) {
        sysctls.write(e.getKey(), e.getValue());
        restored++;
      }
      done.add(e.getKey());
    }
    if (!done.isEmpty()) {
      store.forget(done);
    }
    return restored;
  }

  private void runInto(List<String> argv, String stdin, List<String> errors) {
    CommandRunner.Result r = runner.run(argv, stdin);
    if (!r.ok()) {
      errors.add(String.join(" ", argv) + ": " + r.stderr().strip());
    }
  }
}
