package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The classic-BPF socket filter of the nft table monitor, and the exact test of what it passes.
 * nf_tables tells a listener of NFNLGRP_NFTABLES about every object of every transaction: another
 * program's blocklist of a million addresses is a million element messages when it loads and one
 * per change after. The daemon needs only tables added or deleted (ours deleted by someone, a
 * {@code flush ruleset}). The kernel packs one transaction's messages into as few datagrams as it
 * can, so a table message need not come first: the program walks the datagram's messages (the
 * first {@link #SCANNED}, unrolled: classic BPF has no backward jump) and passes it if one is a
 * table's, or if it has more messages than that (then {@link #matters} reads it); every other
 * datagram (elements, the generation message that ends each transaction) is dropped before it is
 * queued. Netlink lengths and types are in host order, loads big-endian: a message's length is put
 * together from its bytes.
 */
public final class TableFilter {
  static final int NFT_MSG_NEWTABLE = 10 << 8;
  static final int NFT_MSG_DELTABLE = 10 << 8 | 2;
  /** Linux 6.3's {@code destroy table}: its notification may carry this type. */
  static final int NFT_MSG_DESTROYTABLE = 10 << 8 | 26;
  /**
   * Messages looked at per datagram; a bigger one passes and is read here. The kernel fills a
   * datagram up to NLMSG_GOODSIZE (a 4 kB page's worth: about 55 element messages of an IPv4 set,
   * seen on 6.18), so with 4 kB pages a blocklist's load passes nothing.
   */
  public static final int SCANNED = 72;
  private static final int ACCEPT = -1;

  private TableFilter() {
  }

  public static List<Bpf> program() {
    List<Bpf> out = new ArrayList<>();
    out.add(new Bpf(Bpf.LDX_IMM, 0, 0, 0)); // X: the offset of the message looked at
    for (int i = 0; i < SCANNED; i++) {
      // 0: A = type; 1-3: a table's? to 24 (accept)
      out.add(new Bpf(Bpf.LD_H_IND, 0, 0, 4)); // past the datagram's end: the program ends, dropping it
      out.add(new Bpf(Bpf.JEQ_K, 22, 0, RouteFilter.h(NFT_MSG_NEWTABLE)));
      out.add(new Bpf(Bpf.JEQ_K, 21, 0, RouteFilter.h(NFT_MSG_DELTABLE)));
      out.add(new Bpf(Bpf.JEQ_K, 20, 0, RouteFilter.h(NFT_MSG_DESTROYTABLE)));
      // 4-17: A = the length, host order (< 16 MB: its top byte is left out), aligned to 4
      out.add(new Bpf(Bpf.STX, 0, 0, 1));
      out.add(new Bpf(Bpf.LD_B_IND, 0, 0, 0));
      out.add(new Bpf(Bpf.ST, 0, 0, 2));
      out.add(new Bpf(Bpf.LD_B_IND, 0, 0, 1));
      out.add(new Bpf(Bpf.LSH_K, 0, 0, 8));
      out.add(new Bpf(Bpf.ST, 0, 0, 3));
      out.add(new Bpf(Bpf.LD_B_IND, 0, 0, 2));
      out.add(new Bpf(Bpf.LSH_K, 0, 0, 16));
      out.add(new Bpf(Bpf.LDX_MEM, 0, 0, 3));
      out.add(new Bpf(Bpf.OR_X, 0, 0, 0));
      out.add(new Bpf(Bpf.LDX_MEM, 0, 0, 2));
      out.add(new Bpf(Bpf.OR_X, 0, 0, 0));
      out.add(new Bpf(Bpf.ADD_K, 0, 0, 3));
      out.add(new Bpf(Bpf.AND_K, 0, 0, ~3));
      // 18-19: shorter than a header: malformed, dropped (it would be read again and again)
      out.add(new Bpf(Bpf.JGE_K, 1, 0, Messages.HEADER));
      out.add(new Bpf(Bpf.RET_K, 0, 0, 0));
      // 20-23: X = the next message's offset; on to it
      out.add(new Bpf(Bpf.LDX_MEM, 0, 0, 1));
      out.add(new Bpf(Bpf.ADD_X, 0, 0, 0));
      out.add(new Bpf(Bpf.TAX, 0, 0, 0));
      out.add(new Bpf(Bpf.JA, 0, 0, 1));
      out.add(new Bpf(Bpf.RET_K, 0, 0, ACCEPT)); // 24
    }
    out.add(new Bpf(Bpf.RET_K, 0, 0, ACCEPT)); // more messages than scanned: read by matters()
    return out;
  }

  /**
   * Whether a datagram (from position 0 to its limit) holds a table added or deleted, or tells of
   * trouble (an error, an overrun): either way our table must be looked at again.
   *
   * @throws IllegalArgumentException a message's length does not fit the datagram
   */
  public static boolean matters(ByteBuffer datagram) {
    ByteBuffer b = datagram.duplicate().order(java.nio.ByteOrder.nativeOrder());
    int p = 0;
    int end = b.limit();
    while (end - p >= Messages.HEADER) {
      int length = b.getInt(p);
      int type = b.getShort(p + 4) & 0xffff;
      if (length < Messages.HEADER || length > end - p) {
        throw new IllegalArgumentException("message at " + p + " has length " + length + ", " + (end - p) + " bytes left");
      }
      if (type == NFT_MSG_NEWTABLE || type == NFT_MSG_DELTABLE || type == NFT_MSG_DESTROYTABLE
          || type == Messages.NLMSG_OVERRUN || type == Messages.NLMSG_ERROR && b.getInt(p + Messages.HEADER) != 0) {
        return true;
      }
      p += Messages.align(length);
    }
    return false;
  }
}
