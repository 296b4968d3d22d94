package netbalancer.netlink;

/**
 * One classic-BPF instruction ({@code struct sock_filter}): {@code code}, the jump offsets when
 * true and when false (counted from the next instruction), and the constant {@code k}.
 */
public record Bpf(int code, int jt, int jf, int k) {
  static final int LD_W_ABS = 0x20;
  static final int LD_H_ABS = 0x28;
  static final int LD_B_ABS = 0x30;
  static final int LD_IMM = 0x00;
  static final int LD_W_IND = 0x40;
  static final int LD_H_IND = 0x48;
  static final int LD_B_IND = 0x50;
  static final int LDX_IMM = 0x01;
  static final int LDX_MEM = 0x61;
  static final int ST = 0x02;
  static final int STX = 0x03;
  static final int ADD_K = 0x04;
  static final int ADD_X = 0x0c;
  static final int OR_X = 0x4c;
  static final int AND_K = 0x54;
  static final int LSH_K = 0x64;
  static final int JA = 0x05;
  static final int JEQ_K = 0x15;
  static final int JGE_K = 0x35;
  static final int RET_K = 0x06;
  static final int TAX = 0x07;
  /** SKF_AD_OFF + SKF_AD_NLATTR: A = offset of the attribute of type X at or after offset A, or 0. */
  static final int ANC_NLATTR = -0x1000 + 12;

  public Bpf {
    if (code < 0 || code > 0xffff || jt < 0 || jt > 255 || jf < 0 || jf > 255) {
      throw new IllegalArgumentException("bad BPF instruction code=" + code + " jt=" + jt + " jf=" + jf);
    }
  }
}
