package dev.tollgate.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The secret API key: configured, or created on first start and kept in the data directory.
 *
 * <p>Security: keys are compared in constant time ({@link MessageDigest#isEqual}) over their SHA-256 digests, so the
 * comparison time depends neither on where the first differing byte is nor on the length of the guess.
 *
 * <p>Thread-safe: immutable after construction.
 */
final class ApiKeys {
    static final String FILE_NAME = "api-key";

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
     */
    static ApiKeys load(@Nullable String configured, Path dataDir, java.util.function.Consumer<String> onCreated) {
        if (configured != null) {
            return new ApiKeys(configured);
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.isRegularFile(file)) {
                return new ApiKeys(
                        Files.readString(file, StandardCharsets.UTF_8).trim());
            }
            Files.createDirectories(dataDir);
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String key = "tg_sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the file keeps the directory's default permissions
            }
            onCreated.accept(key);
            return new ApiKeys(key);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read or create the API key in " + dataDir.toAbsolutePath() + ": " + e, e);
        }
    }

    /** Tells whether {@code presented} is the secret key, in constant time. */
    boolean matches(@Nullable String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
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
