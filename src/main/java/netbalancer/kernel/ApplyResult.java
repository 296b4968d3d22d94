package netbalancer.kernel;

import java.util.List;

/** What one apply or cleanup did, for logs, metrics and the benchmark. */
public record ApplyResult(int ipChanges, boolean nftChanged, int sysctlChanges, int subprocesses,
    List<String> errors) {

  public ApplyResult {
    errors = List.copyOf(errors);
  }

  public boolean changedAnything() {
    return ipChanges > 0 || nftChanged || sysctlChanges > 0;
  }

  public boolean ok() {
    return errors.isEmpty();
  }
}
