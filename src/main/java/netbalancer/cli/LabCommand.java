package netbalancer.cli;

import java.util.concurrent.Callable;
import netbalancer.harness.LabDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lab}: try net-balancer without touching your network. */
@Command(name = "lab", mixinStandardHelpOptions = true,
    description = {"Try it without touching your network: a lab of 3 simulated ISPs (weights 2:1:1) in network"
        + " namespaces, the daemon in its router, traffic from a LAN host; one cable pulled, one ISP blackholed,"
        + " both put back; then the lab is removed. Under a minute, no input needed."})
final class LabCommand implements Callable<Integer> {
  @Option(names = "--keep", description = "leave the lab up at the end and print how to enter and remove it")
  boolean keep;

  @Option(names = "--remove", description = "remove labs left by --keep (labs whose creator has exited)")
  boolean remove;

  @Override
  public Integer call() throws InterruptedException {
    return remove ? LabDemo.removeKept(System.out) : LabDemo.run(keep, System.out);
  }
}
