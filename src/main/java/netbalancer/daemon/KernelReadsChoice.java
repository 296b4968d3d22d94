package netbalancer.daemon;

import java.io.IOException;
import netbalancer.log.Log;
import netbalancer.observe.NetlinkReads;
import netbalancer.observe.KernelReads;
import netbalancer.system.CommandRunner;

/**
 * The daemon's kernel reader: in-process over rtnetlink (issue #17: a pass's ~9 ip processes
 * were most of its read step), or, when that cannot be had (JNA missing or not loadable, a kernel
 * without strict dump checking), the ip processes as before, saying why once, as the route events
 * do. {@value #PROPERTY}=ip asks for the latter (a comparison, a kernel that answers oddly).
 * Decided once per process: a reload keeps the reader.
 */
final class KernelReadsChoice {
  static final String PROPERTY = "netbalancer.kernelReads";
  private static NetlinkReads netlink;
  private static boolean decided;

  private KernelReadsChoice() {
  }

  static synchronized KernelReads forDaemon(CommandRunner runner) {
    if (!decided) {
      decided = true;
      String why = "-D" + PROPERTY + "=ip";
      if (!"ip".equals(System.getProperty(PROPERTY))) {
        try {
          netlink = NetlinkReads.open();
          Log.debug("kernel reads: netlink");
        } catch (IOException | RuntimeException | LinkageError e) {
          why = e.getMessage();
        }
      }
      if (netlink == null) {
        Log.warn("kernel reads: no netlink socket (%s); reading the kernel with ip processes", why);
      }
    }
    return netlink != null ? netlink : KernelReads.ip(runner);
  }
}
