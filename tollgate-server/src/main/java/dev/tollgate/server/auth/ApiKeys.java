package dev.tollgate.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The root secret key: configured, or created on first start and kept in the data directory. It has every right and
 * cannot be revoked; the keys made through the API sit beside it in the {@link Keyring}.
 *
 * <p>Security: the key is checked as every credential is ({@link Keyring}: by its SHA-256 digest, compared in constant
 * time). A key has at
 * least {@value #MIN_LENGTH} printable characters ({@link #requireStrong}); a generated one has 32 random bytes. The
 * key file is created {@code 0600} (a temporary file made {@code 0600} at creation, then renamed), in a data directory
 * created {@code 0700}.
 *
 * <p>Thread-safe: immutable.
 */
public final class ApiKeys {
    /** The key file in the data directory. */
    public static final String FILE_NAME = "api-key";

    /** The fewest characters a key may have: 32, as many as 16 random bytes in hex. */
    static final int MIN_LENGTH = 32;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String key;
    private final byte[] digest;

    private ApiKeys(String key) {
        this.key = key;
        this.digest = Secrets.sha256(key.getBytes(StandardCharsets.UTF_8));
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

    /** The SHA-256 digest of the key. */
    byte[] digest() {
        return digest.clone();
    }

    /** The SHA-256 digest of the key, in lower-case hex, as stored keys' digests are kept. */
    String digestHex() {
        return java.util.HexFormat.of().formatHex(digest);
    }

    /**
     * The {@code Authorization} header value of this key, with which the servers of a cluster (which share the root
     * key: {@code docs/operating/cluster.md}) ask each other to reload what changed.
     */
    public String authorization() {
        return "Bearer " + key;
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
}
