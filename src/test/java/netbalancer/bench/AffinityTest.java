package netbalancer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AffinityTest {
  @Test
  void cpuListsAsTheKernelWritesThem() {
    assertEquals(List.of(0, 1), Affinity.parseCpuList("\t0-1\n"));
    assertEquals(List.of(2, 3), Affinity.parseCpuList("2,3"), "a container's CPUs need not start at 0");
    assertEquals(List.of(0, 1, 2, 3, 8), Affinity.parseCpuList("0-3,8"));
    assertEquals(List.of(5), Affinity.parseCpuList("5"));
    assertEquals(List.of(), Affinity.parseCpuList(""));
  }
}
