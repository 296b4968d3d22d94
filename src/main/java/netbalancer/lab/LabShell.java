package netbalancer.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import netbalancer.system.CommandException;
import netbalancer.system.CommandRunner;
import netbalancer.system.CommandRunner.Result;

/**
 * The commands a lab runs, through one injected {@link CommandRunner}: inside its own namespaces
 * only (every namespace is checked against the lab's list), and in the host namespace nothing but
 * {@code ip netns add/del} of a lab namespace. Unit tests give it a recording runner.
 */
final class LabShell {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CommandRunner runner;
  private final String prefix;
  private final Set<String> namespaces;
  private final AtomicBoolean closed = new AtomicBoolean();

  LabShell(CommandRunner runner, String prefix, List<String> namespaces) {
    this.runner = runner;
    this.prefix = prefix;
    this.namespaces = Set.copyOf(namespaces);
  }

  /** From now on every command is refused: the namespaces are going. */
  void close() {
    closed.set(true);
  }

  Result exec(String ns, List<String> argv, String stdin, Duration timeout) {
    return runner.run(inNs(ns, argv), stdin, timeout);
  }

  Result execCheck(String ns, List<String> argv) {
    List<String> full = inNs(ns, argv);
    Result r = runner.run(full, null);
    if (!r.ok()) {
      throw new CommandException(full, r);
    }
    return r;
  }

  /** {@code ip -j ARGS} in {@code ns}, parsed. */
  JsonNode ipJson(String ns, List<String> args) {
    List<String> argv = new ArrayList<>(List.of("ip", "-j", "-n", checkOwn(ns)));
    argv.addAll(args);
    Result r = runner.check(argv, null);
    try {
      return JSON.readTree(r.stdout().isBlank() ? "[]" : r.stdout());
    } catch (IOException e) {
      throw new UncheckedIOException("ip -j printed no JSON: " + r.stdout(), e);
    }
  }

  /** A runner for code that takes one (the harness, the balancer's own observer) confined to {@code ns}. */
  CommandRunner runnerIn(String ns) {
    return new NamespaceRunner(runner, checkOwn(ns));
  }

  List<String> inNs(String ns, List<String> argv) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", checkOwn(ns)));
    full.addAll(argv);
    return full;
  }

  void ip(String ns, String... args) {
    List<String> argv = new ArrayList<>(List.of("ip", "-n", checkOwn(ns)));
    argv.addAll(List.of(args));
    runner.check(argv, null);
  }

  void batch(String ns, List<String> lines) {
    runner.check(List.of("ip", "-n", checkOwn(ns), "-batch", "-"), String.join("\n", lines) + "\n");
  }

  void nft(String ns, String script) {
    runner.check(inNs(ns, List.of("nft", "-f", "-")), script);
  }

  void sysctl(String ns, String... settings) {
    List<String> argv = new ArrayList<>(List.of("sysctl", "-q", "-w"));
    argv.addAll(List.of(settings));
    runner.check(inNs(ns, argv), null);
  }

  /** The only command run in the host namespace: creating one of this lab's namespaces. */
  void addNamespace(String ns) {
    if (!namespaces.contains(ns) || !ns.startsWith(LabNames.PREFIX)) {
      throw new IllegalArgumentException("not a namespace of lab " + prefix + ": " + ns);
    }
    runner.check(List.of("ip", "netns", "add", ns), null);
  }

  String checkOwn(String ns) {
    if (ns == null || !ns.startsWith(prefix) || !namespaces.contains(ns)) {
      throw new IllegalArgumentException(ns + " is not a namespace of lab " + prefix);
    }
    if (closed.get()) {
      throw new IllegalStateException("lab " + prefix + " is closed");
    }
    return ns;
  }
}
