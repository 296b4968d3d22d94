package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A classic-BPF interpreter for the opcodes the socket filters use, with the kernel's semantics:
 * loads are big-endian, a load out of bounds ends the program with 0 (drop), the NLATTR ancillary
 * load finds an attribute of type X from offset A (0 when none).
 */
final class BpfMachine {
  private BpfMachine() {
  }

  /** What the program returns for {@code packet} (0: dropped). */
  static int run(List<Bpf> program, byte[] packet) {
    ByteBuffer p = ByteBuffer.wrap(packet).order(ByteOrder.BIG_ENDIAN);
    int a = 0;
    int x = 0;
    int[] m = new int[16];
    for (int pc = 0; pc < program.size(); pc++) {
      Bpf i = program.get(pc);
      switch (i.code()) {
        case Bpf.LD_IMM -> a = i.k();
        case Bpf.LDX_IMM -> x = i.k();
        case Bpf.TAX -> x = a;
        case Bpf.RET_K -> {
          return i.k();
        }
        case Bpf.LDX_MEM -> x = m[i.k()];
        case Bpf.ST -> m[i.k()] = a;
        case Bpf.STX -> m[i.k()] = x;
        case Bpf.ADD_K -> a += i.k();
        case Bpf.ADD_X -> a += x;
        case Bpf.OR_X -> a |= x;
        case Bpf.AND_K -> a &= i.k();
        case Bpf.LSH_K -> a <<= i.k();
        case Bpf.JA -> pc += i.k();
        case Bpf.JEQ_K -> pc += a == i.k() ? i.jt() : i.jf();
        case Bpf.JGE_K -> pc += Integer.compareUnsigned(a, i.k()) >= 0 ? i.jt() : i.jf();
        case Bpf.LD_B_ABS, Bpf.LD_H_ABS, Bpf.LD_W_ABS, Bpf.LD_W_IND, Bpf.LD_H_IND, Bpf.LD_B_IND -> {
          if (i.code() == Bpf.LD_W_ABS && i.k() == Bpf.ANC_NLATTR) {
            a = nlattr(packet, a, x);
            continue;
          }
          boolean indexed = i.code() == Bpf.LD_W_IND || i.code() == Bpf.LD_H_IND || i.code() == Bpf.LD_B_IND;
          int at = indexed ? x + i.k() : i.k();
          int size = i.code() == Bpf.LD_B_ABS || i.code() == Bpf.LD_B_IND ? 1
              : i.code() == Bpf.LD_H_ABS || i.code() == Bpf.LD_H_IND ? 2 : 4;
          if (at < 0 || at + size > packet.length) {
            return 0;
          }
          a = size == 1 ? p.get(at) & 0xff : size == 2 ? p.getShort(at) & 0xffff : p.getInt(at);
        }
        default -> throw new IllegalArgumentException("opcode " + i.code() + " not in this interpreter");
      }
    }
    throw new IllegalStateException("program ran off its end");
  }

  /** __skb_get_nlattr: the offset of the first attribute of type {@code type} at or after {@code from}. */
  private static int nlattr(byte[] packet, int from, int type) {
    ByteBuffer b = ByteBuffer.wrap(packet).order(ByteOrder.nativeOrder());
    if (packet.length < 4 || from > packet.length - 4) {
      return 0;
    }
    int at = from;
    while (packet.length - at >= 4) {
      int len = b.getShort(at) & 0xffff;
      if (len < 4 || len > packet.length - at) {
        return 0;
      }
      if ((b.getShort(at + 2) & 0x3fff) == type) {
        return at;
      }
      at += (len + 3) & ~3;
    }
    return 0;
  }
}
