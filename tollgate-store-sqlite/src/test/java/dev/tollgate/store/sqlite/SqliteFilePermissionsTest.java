package dev.tollgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.JournalRecord;
import dev.tollgate.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16: the store holds webhook secrets, so only the server's user may read its directory and files. */
final class SqliteFilePermissionsTest {
    @TempDir
    Path dir;

    @Test
    void a_new_data_directory_is_0700_and_the_database_wal_and_shm_files_0600() throws Exception {
        Path data = dir.resolve("nested/data");
        try (Store store = SqliteStores.open(data)) {
            // a write makes SQLite create its -wal and -shm files
            store.append(
                    JournalRecord.all(List.of(new JournalEntry.CustomerUpserted(
                            "c", Instant.parse("2026-01-01T00:00:00Z"), null, "C", Map.of(), "UTC", null))),
                    List.of());
            assertThat(permissions(data))
                    .as("regression: the directory was 0755")
                    .isEqualTo("rwx------");
            for (String file : new String[] {"tollgate.db", "tollgate.db-wal", "tollgate.db-shm"}) {
                assertThat(permissions(data.resolve(file)))
                        .as("regression: %s was 0644", file)
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void database_files_readable_by_others_are_made_0600_when_opened() throws Exception {
        SqliteStores.open(dir).close();
        Files.setPosixFilePermissions(dir.resolve("tollgate.db"), PosixFilePermissions.fromString("rw-rw-r--"));
        try (Store store = SqliteStores.open(dir)) {
            assertThat(store.entries("nobody")).isEmpty();
            assertThat(permissions(dir.resolve("tollgate.db"))).isEqualTo("rw-------");
            assertThat(permissions(dir.resolve("tollgate.db-wal"))).isEqualTo("rw-------");
        }
    }

    private static String permissions(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
