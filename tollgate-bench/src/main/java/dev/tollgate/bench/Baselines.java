package dev.tollgate.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The same-run baselines that give Tollgate's figures their meaning on a noisy shared machine: a private
 * {@code redis-server} measured with {@code redis-benchmark} (GET, and EVALSHA of a decrement script), {@code pgbench}
 * updating one hot row of the machine's PostgreSQL, and an fsync loop on the data disk.
 */
final class Baselines implements AutoCloseable {
    private static final Pattern RPS = Pattern.compile("([\\d.]+) requests per second");
    private static final Pattern TPS = Pattern.compile("tps = ([\\d.]+)");

    private final Proc redis;
    private final int redisPort;
    private final String decrementSha;
    private final Path pgScript;
    private final String pgHost;
    private final String pgTable;

    private Baselines(Proc redis, int redisPort, String decrementSha, Path pgScript, String pgHost, String pgTable) {
        this.redis = redis;
        this.redisPort = redisPort;
        this.decrementSha = decrementSha;
        this.pgScript = pgScript;
        this.pgHost = pgHost;
        this.pgTable = pgTable;
    }

    /**
     * Starts a private Redis and prepares the pgbench table ({@code bench_hot_row_<pid>} in database {@code test}, one
     * per run so that concurrent runs on one machine cannot drop each other's; {@link #close} drops it).
     */
    static Baselines start(Path workDir) throws IOException, InterruptedException {
        for (String tool : List.of("redis-server", "redis-benchmark", "redis-cli", "pgbench", "psql")) {
            if (!Proc.onPath(tool)) {
                throw new IOException(tool + " is not on the PATH (Debian: redis-server, postgresql-client)");
            }
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Proc.Started redis = Proc.start(
                List.of(
                        "redis-server",
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no"),
                Map.of(),
                workDir.resolve("redis.log"),
                Pattern.compile("Ready to accept connections"),
                30);
        String sha = Proc.run(
                        List.of(
                                "redis-cli",
                                "-p",
                                String.valueOf(port),
                                "SCRIPT",
                                "LOAD",
                                "return redis.call('DECRBY', KEYS[1], 1)"),
                        Map.of(),
                        30)
                .trim();
        String host = "127.0.0.1";
        String table = "bench_hot_row_" + ProcessHandle.current().pid();
        Proc.psql(
                host,
                "DROP TABLE IF EXISTS " + table + "; CREATE TABLE " + table + " (id int PRIMARY KEY, v bigint);"
                        + " INSERT INTO " + table + " VALUES (1, 0);");
        Path script = workDir.resolve("hot-row.sql");
        Files.writeString(script, "UPDATE " + table + " SET v = v - 1 WHERE id = 1;\n");
        return new Baselines(redis.proc(), port, sha, script, host, table);
    }

    /** The private Redis's port (on {@code 127.0.0.1}). */
    int redisPort() {
        return redisPort;
    }

    /** {@code redis-benchmark} GET at 50 clients: requests per second. */
    double redisGet(int requests) throws IOException, InterruptedException {
        return Proc.number(
                Proc.run(
                        List.of(
                                "redis-benchmark",
                                "-p",
                                String.valueOf(redisPort),
                                "-c",
                                "50",
                                "-n",
                                String.valueOf(requests),
                                "-t",
                                "get",
                                "-q"),
                        Map.of(),
                        300),
                RPS);
    }

    /** {@code redis-benchmark} EVALSHA of a decrement script at 50 clients: requests per second. */
    double redisEvalshaDecrement(int requests) throws IOException, InterruptedException {
        return Proc.number(
                Proc.run(
                        List.of(
                                "redis-benchmark",
                                "-p",
                                String.valueOf(redisPort),
                                "-c",
                                "50",
                                "-n",
                                String.valueOf(requests),
                                "-q",
                                "EVALSHA",
                                decrementSha,
                                "1",
                                "balance"),
                        Map.of(),
                        300),
                RPS);
    }

    /** {@code pgbench}: {@code clients} updating one hot row for {@code seconds}, transactions per second. */
    double pgbenchHotRow(int clients, int seconds) throws IOException, InterruptedException {
        return Proc.number(
                Proc.run(
                        List.of(
                                "pgbench",
                                "-h",
                                pgHost,
                                "-U",
                                "postgres",
                                "-n",
                                "-c",
                                String.valueOf(clients),
                                "-j",
                                "2",
                                "-T",
                                String.valueOf(seconds),
                                "-f",
                                pgScript.toString(),
                                "test"),
                        Map.of(),
                        seconds + 120),
                TPS);
    }

    /** Appends 64 bytes and fsyncs, in a loop for {@code seconds} on the data disk: fsyncs per second. */
    static double fsyncLoop(Path dir, double seconds) throws IOException {
        Path file = dir.resolve("fsync-loop.bin");
        ByteBuffer record = ByteBuffer.allocate(64);
        long n = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (System.nanoTime() < end) {
                record.clear();
                ch.write(record);
                ch.force(false);
                n++;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Files.deleteIfExists(file);
        return n / elapsed;
    }

    @Override
    public void close() {
        redis.close();
        try {
            Proc.psql(pgHost, "DROP TABLE IF EXISTS " + pgTable);
        } catch (IOException e) {
            System.err.println("could not drop " + pgTable + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
