package netbalancer.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Order statistics of one series of samples, nearest-rank percentiles (so p99 of 50 samples is
 * the largest one: no interpolation invents a value nobody measured). Values are rounded to
 * 0.001 so the JSON stays readable.
 */
public record Stats(int n, double min, double median, double p95, double p99, double max, double mean) {

  public static Stats of(List<Double> samples) {
    if (samples.isEmpty()) {
      return new Stats(0, 0, 0, 0, 0, 0, 0);
    }
    List<Double> s = new ArrayList<>(samples);
    Collections.sort(s);
    double mean = s.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    return new Stats(s.size(), round(s.get(0)), round(rank(s, 50)), round(rank(s, 95)), round(rank(s, 99)),
        round(s.get(s.size() - 1)), round(mean));
  }

  /** Median of a few samples, for results that need nothing more. */
  public static double median(List<Double> samples) {
    return of(samples).median();
  }

  /**
   * A bootstrap 95 % interval of the median: the 2.5th and 97.5th percentiles of the medians of
   * 4000 resamples (with replacement). Seeded, so a report's numbers do not change when read again.
   */
  public static List<Double> medianInterval95(List<Double> samples) {
    if (samples.isEmpty()) {
      return List.of();
    }
    SplittableRandom random = new SplittableRandom(20261126L);
    List<Double> medians = new ArrayList<>();
    List<Double> resample = new ArrayList<>(samples.size());
    for (int i = 0; i < 4000; i++) {
      resample.clear();
      for (int j = 0; j < samples.size(); j++) {
        resample.add(samples.get(random.nextInt(samples.size())));
      }
      Collections.sort(resample);
      medians.add(rank(resample, 50));
    }
    Collections.sort(medians);
    return List.of(round(rank(medians, 2.5)), round(rank(medians, 97.5)));
  }

  /**
   * A bootstrap 95 % interval of median(a) ÷ median(b), two independent series: each resample
   * draws both anew. Seeded like {@link #medianInterval95}.
   */
  public static List<Double> ratioOfMediansInterval95(List<Double> a, List<Double> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return List.of();
    }
    SplittableRandom random = new SplittableRandom(20261126L);
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      ratios.add(resampledMedian(a, random) / resampledMedian(b, random));
    }
    Collections.sort(ratios);
    return List.of(round(rank(ratios, 2.5)), round(rank(ratios, 97.5)));
  }

  private static double resampledMedian(List<Double> samples, SplittableRandom random) {
    List<Double> resample = new ArrayList<>(samples.size());
    for (int j = 0; j < samples.size(); j++) {
      resample.add(samples.get(random.nextInt(samples.size())));
    }
    Collections.sort(resample);
    return rank(resample, 50);
  }

  private static double rank(List<Double> sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }
}
