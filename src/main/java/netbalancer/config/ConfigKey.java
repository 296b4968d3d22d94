package netbalancer.config;

/**
 * A setting users can write in the config file or the environment.
 *
 * @param name         the variable name, e.g. {@code HEALTH_CHECK_INTERVAL}
 * @param section      the heading it is listed under in the default config file
 * @param defaultValue the default, as it would be written in the file
 * @param allowed      what values are accepted, e.g. "a number of seconds > 0, at most 86400"
 * @param description  one line saying what the setting does
 */
public record ConfigKey(String name, String section, String defaultValue, String allowed, String description) {
}
