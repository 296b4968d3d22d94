package netbalancer.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import netbalancer.system.CommandException;
import netbalancer.system.CommandRunner.Result;

/**
 * The programs a lab starts in its namespaces: the lab's own Java helpers ({@link WhoAmIServer},
 * {@link LoadClient}) from the project's jar, and anything else; each is killed when the lab
 * closes, if not before. The balancer itself is started by {@link LabBalancer}.
 */
final class LabLauncher {
  /** The helpers' JVM: small and quick to start (they are not what is measured). */
  private static final List<String> HELPER_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xss256k", "-Xmx256m");

  private final LabShell shell;
  private final boolean dualStack;
  private final List<LabProcess> processes = new CopyOnWriteArrayList<>();

  /** {@code dualStack}: the helpers get IPv6 sockets (which take IPv4 too). */
  LabLauncher(LabShell shell, boolean dualStack) {
    this.shell = shell;
    this.dualStack = dualStack;
  }

  LabProcess start(String ns, List<String> argv) {
    LabProcess p = new LabProcess(ns, shell.inNs(ns, argv));
    processes.add(p);
    return p;
  }

  LabProcess startJava(String ns, String mainClass, String... args) {
    return start(ns, javaArgv(mainClass, args));
  }

  List<String> javaArgv(String mainClass, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(HELPER_FLAGS);
    // IPv4-only labs keep the IPv4 stack they were measured with; dual-stack ones need IPv6
    // sockets, which take IPv4 too and report IPv4 peers as plain IPv4 addresses.
    if (!dualStack) {
      argv.add("-Djava.net.preferIPv4Stack=true");
    }
    argv.addAll(List.of("-cp", Lab.jarPath().toString(), mainClass));
    argv.addAll(List.of(args));
    return argv;
  }

  /** Starts a {@link WhoAmIServer} in {@code ns} on {@code ports} and returns once it listens. */
  LabProcess startServer(String ns, int... ports) {
    List<String> args = new ArrayList<>(List.of("--watch-stdin"));
    for (int port : ports.length == 0 ? new int[] {Lab.SERVER_PORT} : ports) {
      args.add(Integer.toString(port));
    }
    LabProcess p = startJava(ns, WhoAmIServer.class.getName(), args.toArray(String[]::new));
    String line = p.readLine(Duration.ofSeconds(30));
    if (!line.startsWith("ready")) {
      p.close();
      throw new IllegalStateException("server in " + ns + " said: " + line);
    }
    return p;
  }

  LoadReport loadCount(String ns, String host, int port, int n, String... options) {
    List<String> argv = javaArgv(LoadClient.class.getName(), "count", host, Integer.toString(port),
        Integer.toString(n));
    argv.addAll(List.of(options));
    Result r = shell.exec(ns, argv, null, Duration.ofSeconds(60 + n / 10));
    if (!r.ok()) {
      throw new CommandException(argv, r);
    }
    return LoadReport.parse(r.stdout());
  }

  HeldConnections hold(String ns, String host, int port, int n, String... options) {
    List<String> args = new ArrayList<>(List.of("hold", host, Integer.toString(port), Integer.toString(n)));
    args.addAll(List.of(options));
    LabProcess p = startJava(ns, LoadClient.class.getName(), args.toArray(String[]::new));
    try {
      return new HeldConnections(p, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** Kills every process started here. */
  void closeAll() {
    processes.forEach(LabProcess::close);
  }
}
