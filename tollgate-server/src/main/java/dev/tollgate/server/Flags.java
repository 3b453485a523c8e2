package dev.tollgate.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Parses {@code --name value} and {@code --name=value} flags. */
final class Flags {
    private static final Set<String> KNOWN =
            Set.of("port", "data-dir", "catalog", "config", "store", "postgres-url", "io-threads");

    private Flags() {}

    /** The command line itself is wrong (not a value in it): the usage helps. */
    static final class BadFlag extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadFlag(String message) {
            super(message);
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new BadFlag("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new BadFlag("flag --" + name + " needs a value");
            }
            if (!KNOWN.contains(name)) {
                throw new BadFlag("unknown flag --" + name + " (known: " + KNOWN + ")");
            }
            flags.put(name, value);
        }
        return flags;
    }
}
