package netbalancer.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ParserWarmUpTest {
  @Test
  void everyMadeUpAnswerIsParsedToItsLastElement() {
    // batch: 1 link, 2 rules, 1 neighbor; routes: 2, then the same 2 streamed; nft: 1 rule
    assertEquals(9, ParserWarmUp.run());
  }
}
