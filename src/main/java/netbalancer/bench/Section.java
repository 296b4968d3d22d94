package netbalancer.bench;

/** The parts of a bench run, in the order they run and print; {@code key} names them in the JSON. */
public enum Section {
  APPLY("applyCost"), REACTION("reaction"), DETECTION("detection"), DATAPLANE("dataPlane"),
  DISTRIBUTION("distribution"), FOOTPRINT("footprint"), ROUTESCALE("routeScale"),
  CONNECTIONSCALE("connectionScale"), POLICIES("policies");

  private final String key;

  Section(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  Object run(BenchEnv env) throws Exception {
    return switch (this) {
      case APPLY -> ApplyCostSection.run(env);
      case REACTION -> ReactionSection.run(env);
      case DETECTION -> DetectionSection.run(env);
      case DATAPLANE -> DataPlaneSection.run(env);
      case DISTRIBUTION -> DistributionSection.run(env);
      case FOOTPRINT -> FootprintSection.run(env);
      case ROUTESCALE -> ScaleSection.routes(env);
      case CONNECTIONSCALE -> ScaleSection.flows(env);
      case POLICIES -> PoliciesSection.run(env);
    };
  }
}
