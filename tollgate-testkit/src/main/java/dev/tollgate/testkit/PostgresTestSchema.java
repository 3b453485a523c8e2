package dev.tollgate.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty PostgreSQL schema for one test, on the machine's PostgreSQL.
 *
 * <p>The server is {@code TOLLGATE_TEST_POSTGRES_URL}, by default {@code
 * jdbc:postgresql://127.0.0.1:5432/test?user=postgres}. If it cannot be reached, the test is skipped with a message,
 * except under {@code CI=true}, where that is a failure: CI machines have PostgreSQL, and a suite that silently
 * skipped there would prove nothing.
 *
 * <p>Thread-safe; {@link #close()} drops the schema and everything in it.
 */
public final class PostgresTestSchema implements AutoCloseable {
    /** The default server of the tests. */
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final String adminUrl;
    private final String name;

    private PostgresTestSchema(String adminUrl, String name) {
        this.adminUrl = adminUrl;
        this.name = name;
    }

    /** The server's URL for tests: {@code TOLLGATE_TEST_POSTGRES_URL} or {@link #DEFAULT_URL}. */
    public static String adminUrl() {
        String url = System.getenv("TOLLGATE_TEST_POSTGRES_URL");
        return url == null || url.isBlank() ? DEFAULT_URL : url;
    }

    /**
     * Creates a schema named {@code tg_<random>}.
     *
     * @return the schema; close it to drop it
     * @throws org.opentest4j.TestAbortedException if PostgreSQL is unreachable outside CI
     * @throws AssertionError if PostgreSQL is unreachable under {@code CI=true}
     */
    public static PostgresTestSchema create() {
        String admin = adminUrl();
        String name = "tg_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(admin);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            String message = "PostgreSQL is not reachable at " + admin + " (" + e.getMessage() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + "; under CI=true this is a failure", e);
            }
            Assumptions.abort(message + "; skipping. Start it: pg_ctlcluster --skip-systemctl-redirect 15 main start");
        }
        return new PostgresTestSchema(admin, name);
    }

    /** The schema's name. */
    public String name() {
        return name;
    }

    /** A JDBC URL whose connections work in this schema. */
    public String url() {
        return adminUrl + (adminUrl.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    /** Drops the schema with everything in it. */
    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(adminUrl);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop schema " + name, e);
        }
    }
}
