package dev.tollgate.server.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The secret API key: configured, or created on first start and kept in the data directory.
 *
 * <p>Security: keys are compared in constant time ({@link MessageDigest#isEqual}) over their SHA-256 digests, so the
 * comparison time depends neither on where the first differing byte is nor on the length of the guess. A key has at
 * least {@value #MIN_LENGTH} printable characters ({@link #requireStrong}); a generated one has 32 random bytes. The
 * key file is created {@code 0600} (a temporary file made {@code 0600} at creation, then renamed), in a data directory
 * created {@code 0700}.
 *
 * <p>Thread-safe: immutable after construction; a {@link Remembered} is confined to one connection.
 */
public final class ApiKeys {
    /** The key file in the data directory. */
    public static final String FILE_NAME = "api-key";

    /** The fewest characters a key may have: 32, as many as 16 random bytes in hex. */
    static final int MIN_LENGTH = 32;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] digest;

    private ApiKeys(String key) {
        this.digest = sha256(key);
    }

    /**
     * The configured key, or the one stored in {@code dataDir}, or a new one written there.
     *
     * @param configured a configured key, or {@code null}
     * @param dataDir the data directory
     * @param onCreated told the new key once, when one is created
     * @throws IllegalArgumentException if the configured or stored key is weaker than {@link #requireStrong} allows
     * @throws UncheckedIOException if the key file cannot be read or created
     */
    public static ApiKeys load(@Nullable String configured, Path dataDir, Consumer<String> onCreated) {
        if (configured != null) {
            requireStrong(configured, "TOLLGATE_API_KEY");
            return new ApiKeys(configured);
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.isRegularFile(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                requireStrong(stored, "the key file " + file);
                restrictToOwner(file);
                return new ApiKeys(stored);
            }
            createPrivateDirectory(dataDir);
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String key = "tg_sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path temp = createOwnerOnlyTempFile(dataDir);
            try {
                Files.writeString(temp, key + "\n", StandardCharsets.UTF_8);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            onCreated.accept(key);
            return new ApiKeys(key);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read or create the API key in " + dataDir.toAbsolutePath() + ": " + e, e);
        }
    }

    /**
     * Refuses a key that can be guessed or that no client can send: fewer than {@value #MIN_LENGTH} characters, or
     * any that is not printable ASCII (a space, a control character, non-ASCII). The message names where the key came
     * from, never the key.
     *
     * @param source where the key came from, for the message
     * @throws IllegalArgumentException if the key is too weak
     */
    public static void requireStrong(String key, String source) {
        boolean printable = key.chars().allMatch(c -> c > ' ' && c < 0x7f);
        if (key.length() < MIN_LENGTH || !printable) {
            throw new IllegalArgumentException(source + ": the API key must be at least " + MIN_LENGTH
                    + " characters of printable ASCII without spaces (for one: openssl rand -hex 32)");
        }
    }

    /** Tells whether {@code presented} is the secret key, in constant time. */
    boolean matches(@Nullable String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    /** A check for one connection: see {@link Remembered}. */
    Remembered remembering() {
        return new Remembered();
    }

    /**
     * One connection's key check: it remembers the last key accepted on the connection, so that a keep-alive client
     * costs one hash per connection instead of one per request. A key presented again is compared with the remembered
     * one in time that depends only on the presented key's length; any other is hashed and checked as by
     * {@link #matches}.
     *
     * <p>Not thread-safe: confined to its connection's I/O thread.
     */
    final class Remembered {
        private @Nullable String accepted;

        private Remembered() {}

        /** Tells whether {@code presented} is the secret key. */
        boolean matches(String presented) {
            String known = accepted;
            if (known != null && sameInConstantTime(known, presented)) {
                return true;
            }
            if (ApiKeys.this.matches(presented)) {
                accepted = presented;
                return true;
            }
            return false;
        }

        private static boolean sameInConstantTime(String known, String presented) {
            int diff = known.length() ^ presented.length();
            for (int i = 0; i < presented.length(); i++) {
                diff |= known.charAt(i % known.length()) ^ presented.charAt(i);
            }
            return diff == 0;
        }
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory gets the platform's default access
            Files.createDirectories(dir);
        }
    }

    private static Path createOwnerOnlyTempFile(Path dir) throws IOException {
        try {
            return Files.createTempFile(dir, FILE_NAME, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            return Files.createTempFile(dir, FILE_NAME, ".tmp");
        }
    }

    /** Makes a key file left readable by others (by an earlier version, by hand) {@code 0600}. */
    private static void restrictToOwner(Path file) throws IOException {
        try {
            if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    /** One digest per thread: {@link MessageDigest#getInstance} looks the provider up on every call. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    private static byte[] sha256(String s) {
        return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
