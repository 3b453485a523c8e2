package dev.tollgate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Child processes: a long-running one whose output announces it is ready, and commands run to completion. */
final class Proc implements AutoCloseable {
    private final Process process;

    @SuppressWarnings("JdkObsolete") // appended by the reader thread while the caller may read it
    private final StringBuffer output = new StringBuffer();

    private Proc(Process process) {
        this.process = process;
    }

    /**
     * Starts a command and waits until a line of its output (stdout and stderr merged) matches {@code ready}.
     *
     * @return the process and the first group of the matching line
     */
    static Started start(List<String> command, Map<String, String> env, Path log, Pattern ready, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        Proc proc = new Proc(p);
        String[] group = new String[1];
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            if (proc.output.length() < 1_000_000) {
                                proc.output.append(line).append('\n');
                            }
                            Matcher m = ready.matcher(line);
                            if (group[0] == null && m.find()) {
                                synchronized (group) {
                                    group[0] = m.groupCount() > 0 ? m.group(1) : line;
                                    group.notifyAll();
                                }
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                "proc-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
        synchronized (group) {
            while (group[0] == null && p.isAlive() && System.currentTimeMillis() < deadline) {
                group.wait(100);
            }
        }
        if (group[0] == null) {
            p.destroyForcibly();
            java.nio.file.Files.writeString(log, proc.output.toString());
            throw new IOException("not ready: " + command + "; output in " + log);
        }
        return new Started(proc, group[0]);
    }

    /** The operating system's id of the process. */
    long pid() {
        return process.pid();
    }

    /** A started process and what its ready line said. */
    record Started(Proc proc, String said) {}

    /**
     * Runs {@code sql} with the psql client as user {@code postgres} on database {@code test} (trust auth), quietly.
     *
     * @return psql's output
     * @throws IOException if psql fails or does not end within 60 s
     */
    static String psql(String host, String sql) throws IOException, InterruptedException {
        return run(List.of("psql", "-h", host, "-U", "postgres", "-d", "test", "-q", "-c", sql), Map.of(), 60);
    }

    /** Runs a command to its end; answers its output, or throws if it failed. */
    static String run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("failed (" + p.exitValue() + "): " + command + "\n" + text);
        }
        return text;
    }

    /** The first group of {@code pattern} in {@code text}, as a number. */
    static double number(String text, Pattern pattern) throws IOException {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IOException("no " + pattern + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    /** Whether a command is on the PATH. */
    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    String output() {
        return output.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
