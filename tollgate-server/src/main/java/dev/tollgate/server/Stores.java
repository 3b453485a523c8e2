package dev.tollgate.server;

import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.store.postgres.PostgresStores;
import dev.tollgate.store.sqlite.SqliteStores;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store the configuration names.
 *
 * <p>Start-up: a server started beside its database (containers, a host rebooting) may come up first. {@link
 * #openWaiting} therefore retries a PostgreSQL that cannot be reached, with back-off from 0.5 s doubling to 5 s and a
 * log line per attempt, until a time-out ({@value #STARTUP_TIMEOUT_ENV}, {@value #DEFAULT_STARTUP_TIMEOUT_SECONDS} s
 * by default); then it gives up with one line saying so. Any other failure (a wrong password, a failed migration)
 * ends at once: waiting would not mend it.
 */
public final class Stores {
    private static final Logger LOG = LoggerFactory.getLogger(Stores.class);

    /** The environment variable that bounds the wait for PostgreSQL at start-up, in seconds. */
    static final String STARTUP_TIMEOUT_ENV = "TOLLGATE_STORE_STARTUP_TIMEOUT_SECONDS";

    static final int DEFAULT_STARTUP_TIMEOUT_SECONDS = 60;

    private static final long FIRST_WAIT_MILLIS = 500;
    private static final long LONGEST_WAIT_MILLIS = 5_000;

    private Stores() {}

    /**
     * Opens the store the settings name.
     *
     * @param config the settings; {@link ServerConfig#store()} picks the backend
     * @return an open store
     * @throws dev.tollgate.core.store.StoreException if it cannot be opened
     */
    public static Store open(ServerConfig config) {
        if ("postgres".equals(config.store())) {
            return PostgresStores.open(Objects.requireNonNull(config.postgresUrl()));
        }
        return SqliteStores.open(config.dataDir());
    }

    /**
     * Opens the store, waiting up to {@code timeout} for a PostgreSQL that cannot be reached yet.
     *
     * @param timeout how long to keep retrying an unreachable database
     * @return an open store
     * @throws StoreException if it cannot be opened: at once for anything but an unreachable database, else once
     *     {@code timeout} has passed, saying how long it waited
     */
    static Store openWaiting(ServerConfig config, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long wait = FIRST_WAIT_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                return open(config);
            } catch (StoreException e) {
                if (!unreachable(e)) {
                    throw e;
                }
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMillis <= 0) {
                    throw new StoreException(
                            "the " + config.store() + " store at " + config.storeLocation() + " could not be reached"
                                    + " within " + timeout.toSeconds() + " s (" + attempt + " attempts; "
                                    + STARTUP_TIMEOUT_ENV + "): " + rootMessage(e),
                            e);
                }
                long sleep = Math.min(wait, leftMillis);
                LOG.warn(
                        "event=store_unreachable attempt={} retry_in_ms={} gives_up_in_s={} store={} error=\"{}\"",
                        attempt,
                        sleep,
                        leftMillis / 1000,
                        config.storeLocation(),
                        rootMessage(e));
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                wait = Math.min(wait * 2, LONGEST_WAIT_MILLIS);
            }
        }
    }

    /**
     * The start-up wait from the environment.
     *
     * @throws IllegalArgumentException if {@value #STARTUP_TIMEOUT_ENV} is not a whole number of seconds, 0 or more
     */
    static Duration startupTimeout(Map<String, String> env) {
        String value = env.get(STARTUP_TIMEOUT_ENV);
        if (value == null || value.isBlank()) {
            return Duration.ofSeconds(DEFAULT_STARTUP_TIMEOUT_SECONDS);
        }
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds >= 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(
                STARTUP_TIMEOUT_ENV + " must be a whole number of seconds, 0 or more, was '" + value + "'");
    }

    /** A connection failure (SQLSTATE class 08), as opposed to a refusal by a database that answered. */
    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }
}
