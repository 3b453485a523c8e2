package dev.tollgate.server.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * How credentials are made, digested, compared and sealed.
 *
 * <p>Format: a credential is a kind prefix and 32 random bytes ({@link SecureRandom}) in unpadded base64url: {@code
 * tg_sk_} a secret key, {@code tg_pk_} a publishable key, {@code tg_ss_} a publishable key's signing secret, {@code
 * tg_pt_} a portal token; 49 characters in all. The store keeps only the SHA-256 digest of a key or token ({@link
 * #digest}), which is enough to find it again: 256 random bits need no salt or slow hash (those protect guessable
 * passwords).
 *
 * <p>Constant time: a presented credential is looked up by its digest, and the digests are then compared with {@link
 * MessageDigest#isEqual}; the time taken depends neither on where the first differing byte is nor on how much of a
 * guess is right.
 *
 * <p>Sealing: a publishable key's signing secret must be at hand to check customer tokens (HMAC is symmetric), so it
 * cannot be kept as a digest. It is sealed with AES-256-GCM under a key derived from the publishable key itself
 * (HMAC-SHA256 of a fixed label under the publishable key), which the store never holds: the database alone does not
 * give it; whoever also has the publishable key (it is meant to be seen in browsers) can unseal it.
 *
 * <p>Thread-safe: stateless; each call takes its own {@link MessageDigest}, {@link Mac} and {@link Cipher}.
 */
public final class Secrets {
    /** The prefix of a secret key. */
    public static final String SECRET_KEY = "tg_sk_";

    /** The prefix of a publishable key. */
    public static final String PUBLISHABLE_KEY = "tg_pk_";

    /** The prefix of a publishable key's signing secret. */
    public static final String SIGNING_SECRET = "tg_ss_";

    /** The prefix of a portal token. */
    public static final String PORTAL_TOKEN = "tg_pt_";

    /** How many characters of a key a list shows: its kind prefix and 6 more. */
    static final int SHOWN = 12;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SEALED_VERSION = "v1.";
    private static final byte[] SEAL_LABEL = "tollgate signing secret seal v1".getBytes(StandardCharsets.UTF_8);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private Secrets() {}

    /** A new credential: {@code prefix} and 32 random bytes in unpadded base64url. */
    public static String create(String prefix) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** A new id: {@code prefix} and 16 random bytes in hex; not a secret, only unique. */
    public static String id(String prefix) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return prefix + HexFormat.of().formatHex(random);
    }

    /** The first {@value #SHOWN} characters of a credential, shown in lists in its stead. */
    public static String shown(String credential) {
        return credential.substring(0, Math.min(SHOWN, credential.length()));
    }

    /** The SHA-256 digest of a credential's UTF-8 bytes, in lower-case hex: what the store keeps. */
    public static String digest(String credential) {
        return HexFormat.of().formatHex(sha256(credential.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether two digests (or any two byte strings) are equal, in time that depends only on their lengths. */
    static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** HMAC-SHA256 of {@code message} under {@code key}, both as UTF-8. */
    static byte[] hmac(String key, String message) {
        return hmac(key.getBytes(StandardCharsets.UTF_8), message.getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 of {@code message} under {@code key}. */
    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /**
     * Seals a signing secret under a key derived from its publishable key.
     *
     * @return {@code v1.} and base64url of the 12-byte IV followed by the ciphertext and its 16-byte tag
     */
    public static String seal(String publishableKey, String signingSecret) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, sealingKey(publishableKey), new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = aes.doFinal(signingSecret.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out =
                    ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed);
            return SEALED_VERSION + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JVM", e);
        }
    }

    /**
     * Unseals what {@link #seal} sealed under the same publishable key.
     *
     * @throws IllegalArgumentException if it was not sealed under that key, or was changed since
     */
    public static String unseal(String publishableKey, String sealed) {
        if (!sealed.startsWith(SEALED_VERSION)) {
            throw new IllegalArgumentException("not a sealed secret of a known version");
        }
        byte[] all = Base64.getUrlDecoder().decode(sealed.substring(SEALED_VERSION.length()));
        if (all.length <= IV_BYTES) {
            throw new IllegalArgumentException("a sealed secret too short");
        }
        try {
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, sealingKey(publishableKey), new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            return new String(aes.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("the sealed secret does not open with this key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JVM", e);
        }
    }

    private static SecretKeySpec sealingKey(String publishableKey) {
        return new SecretKeySpec(hmac(publishableKey.getBytes(StandardCharsets.UTF_8), SEAL_LABEL), "AES");
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
