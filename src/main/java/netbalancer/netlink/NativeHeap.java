package netbalancer.netlink;

import com.sun.jna.NativeLong;

/**
 * The C heap under the JVM. glibc keeps memory that native code freed (the JIT's arenas, the
 * GC's and NIO's buffers) in its arenas for reuse, so a process that runs for months creeps up
 * by what it once needed at a peak; {@code malloc_trim} gives the free part back
 * (docs/design.md, "Native memory over days"). This is what {@code jcmd PID
 * System.trim_native_heap} does, without the JDK flag that only newer JDK 17 builds accept.
 */
public final class NativeHeap {

  private NativeHeap() {
  }

  /**
   * Returns the C heap's free memory to the kernel.
   *
   * @return whether any was returned
   * @throws LinkageError where there is no {@code malloc_trim} (musl) or JNA cannot be loaded
   */
  public static boolean trim() {
    return Libc.Holder.C.malloc_trim(new NativeLong(0)) == 1;
  }
}
