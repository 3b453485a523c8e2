package dev.tollgate.server.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the optional YAML config file: a flat map of settings ({@code port: 8080}, {@code dataDir: ./data}), keyed by
 * {@link Setting#key}.
 */
final class ConfigFile {
    private ConfigFile() {}

    /**
     * The settings the file gives.
     *
     * @throws IllegalArgumentException if the file cannot be read, is not a map, or names an unknown setting
     */
    static Map<Setting, String> read(Path file) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(file.toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config file " + file + " must be a map of settings");
        }
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        for (String name : root.propertyNames()) {
            Setting setting = Setting.ofKey(name);
            if (setting == null) {
                throw new IllegalArgumentException(
                        "unknown setting '" + name + "' in " + file + " (known: " + keys() + ")");
            }
            settings.put(setting, root.get(name).asString());
        }
        return settings;
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (Setting s : Setting.values()) {
            if (s.key != null) {
                keys.add(s.key);
            }
        }
        return keys;
    }
}
