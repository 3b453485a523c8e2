package dev.tollgate.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads the optional YAML config file: a flat map of settings ({@code port: 8080}, {@code dataDir: ./data}). */
final class ConfigFile {
    private static final Set<String> KNOWN = Set.of(
            "port",
            "dataDir",
            "catalog",
            "apiKey",
            "store",
            "postgresUrl",
            "maxBodyBytes",
            "ioThreads",
            "idleTimeoutSeconds",
            "headerTimeoutSeconds",
            "bodyTimeoutSeconds",
            "maxConnections",
            "webhookAllowPrivate");

    private ConfigFile() {}

    static Map<String, String> read(Path file) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(file.toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config file " + file + " must be a map of settings");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : root.propertyNames()) {
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown setting '" + name + "' in " + file + " (known: " + KNOWN + ")");
            }
            settings.put(name, root.get(name).asString());
        }
        return settings;
    }
}
