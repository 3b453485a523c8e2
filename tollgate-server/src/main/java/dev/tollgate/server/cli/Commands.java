package dev.tollgate.server.cli;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line, with picocli: {@code serve} (also what runs when no command is given) and {@code verify}, each
 * with {@code -h/--help} and the flags of {@link Setting}; {@code sidecar} with the flags of {@link SidecarFlag}.
 *
 * <p>The options are built from {@link Setting} rather than annotated fields, so that the flags, the usage, the config
 * file and {@code docs/reference/settings.md} cannot disagree.
 *
 * <p>Thread-safe: stateless; each {@link #parse} builds its own picocli model.
 */
final class Commands {
    /** How the usage names the program. */
    static final String PROGRAM = "java -jar tollgate-server.jar";

    private Commands() {}

    /** The commands. */
    enum Command {
        SERVE("serve", "Serve the HTTP API (the default when no command is given)."),
        VERIFY(
                "verify",
                "Replay a stopped server's store and compare it with the state it keeps. Exit status: 0 consistent,"
                        + " 1 differences, 2 bad arguments, 3 store unreadable or in use. It reads the store settings"
                        + " (--data-dir, --config, --store, --postgres-url) and ignores the others, so that a serve"
                        + " command line works after verify."),
        SIDECAR(
                "sidecar",
                "Serve the request path (/v1/check, /v1/consume, /v1/events, /v1/sessions, /health) on this machine,"
                        + " answered by the Tollgate SDK from its cache, leases and fallback values and by the upstream"
                        + " server, each decision marked with its source. Callers need no key: it listens on 127.0.0.1."
                        + " See docs/sidecar.md.");

        final String name;
        final String description;

        Command(String name, String description) {
            this.name = name;
            this.description = description;
        }
    }

    /** What a command line asks for: a command and the settings it gives, or the usage. */
    sealed interface Parsed {}

    /**
     * Run {@code command} with {@code flags}.
     *
     * @param flags the settings given as flags, by setting
     * @param sidecarFlags the sidecar's flags given, for {@link Command#SIDECAR}
     */
    record Run(Command command, Map<Setting, String> flags, Map<SidecarFlag, String> sidecarFlags) implements Parsed {}

    /** Print {@code usage} and exit 0: {@code --help} or {@code -h} was given. */
    record Help(String usage) implements Parsed {}

    /** A wrong command line (not a wrong value in it). */
    static final class BadCommandLine extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** The usage of the command the mistake is in. */
        final String usage;

        BadCommandLine(String message, String usage) {
            super(message);
            this.usage = usage;
        }
    }

    /**
     * Reads a command line.
     *
     * @throws BadCommandLine on an unknown flag or command, or a flag without its value
     */
    static Parsed parse(String[] args) {
        CommandLine top = new CommandLine(spec(Command.SERVE, PROGRAM, "[COMMAND] [FLAGS]"));
        for (Command c : Command.values()) {
            top.addSubcommand(c.name, new CommandLine(spec(c, PROGRAM + " " + c.name, "[FLAGS]")));
        }
        top.setOverwrittenOptionsAllowed(true);
        ParseResult result;
        try {
            result = top.parseArgs(args);
        } catch (ParameterException e) {
            throw new BadCommandLine(describe(e), e.getCommandLine().getUsageMessage());
        }
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        Map<SidecarFlag, String> sidecarFlags = new EnumMap<>(SidecarFlag.class);
        Command command = Command.SERVE;
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.isUsageHelpRequested()) {
                return new Help(r.commandSpec().commandLine().getUsageMessage());
            }
            for (OptionSpec o : r.matchedOptions()) {
                if (o.userObject() instanceof Setting s) {
                    flags.put(s, o.getValue());
                } else if (o.userObject() instanceof SidecarFlag f) {
                    sidecarFlags.put(f, o.getValue());
                }
            }
            if (r.commandSpec().userObject() instanceof Command c) {
                command = c;
            }
        }
        return new Run(command, flags, sidecarFlags);
    }

    /** The usage of the program, as {@code --help} prints it. */
    static String usage() {
        return ((Help) parse(new String[] {"--help"})).usage();
    }

    private static CommandSpec spec(Command command, String name, String synopsis) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        spec.name(name);
        spec.usageMessage()
                .synopsisHeading("usage: ")
                .customSynopsis(name + " " + synopsis)
                .descriptionHeading("%n")
                .description(command.description)
                .optionListHeading(
                        command == Command.SIDECAR
                                ? "%nFlags:%n"
                                : "%nFlags (each also an environment variable, or a key of the --config file):%n")
                .commandListHeading("%nCommands:%n")
                .footerHeading("%n")
                .footer(command == Command.SIDECAR ? "" : footer())
                .sortOptions(false)
                .width(120);
        if (command == Command.SIDECAR) {
            for (SidecarFlag f : SidecarFlag.values()) {
                spec.addOption(option(f.flag, f.label, f.description, f));
            }
        } else {
            for (Setting s : Setting.values()) {
                if (s.flag != null) {
                    spec.addOption(option(
                            s.flag,
                            s.label,
                            s.description + " [" + s.env + (s.key == null ? "" : ", key " + s.key) + "; default "
                                    + s.defaultText + "]",
                            s));
                }
            }
        }
        spec.addOption(OptionSpec.builder("-h", "--help")
                .usageHelp(true)
                .description("print this and exit")
                .build());
        return spec;
    }

    private static OptionSpec option(String flag, @Nullable String label, String description, Object setting) {
        return OptionSpec.builder(flag)
                .paramLabel(label)
                .type(String.class)
                .description(description)
                .userObject(setting)
                .build();
    }

    private static String footer() {
        StringBuilder text = new StringBuilder("Environment only:%n");
        for (Setting s : Setting.values()) {
            if (s.flag == null) {
                text.append(String.format(
                        "  %s [key %s; default %s]%n      %s%n", s.env, s.key, s.defaultText, s.description));
            }
        }
        return text.toString();
    }

    /** The one line a wrong command line is told with: {@code unknown flag --prot}. */
    private static String describe(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            List<String> suggestions = u.getSuggestions();
            String hint = suggestions.isEmpty() ? "" : " (did you mean " + String.join(" or ", suggestions) + "?)";
            if (first.startsWith("-")) {
                int eq = first.indexOf('=');
                return "unknown flag " + (eq < 0 ? first : first.substring(0, eq)) + hint;
            }
            return "unexpected argument '" + first + "'" + hint;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
