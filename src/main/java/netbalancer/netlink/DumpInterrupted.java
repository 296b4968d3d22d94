package netbalancer.netlink;

import java.io.IOException;

/**
 * The kernel marked a dump NLM_F_DUMP_INTR: what it walked changed meanwhile, so the answer may
 * be inconsistent; the caller makes the dump again.
 */
public final class DumpInterrupted extends IOException {
  private static final long serialVersionUID = 1L;

  DumpInterrupted(String what) {
    super(what + ": the dump was interrupted (the kernel's state changed meanwhile)");
  }
}
