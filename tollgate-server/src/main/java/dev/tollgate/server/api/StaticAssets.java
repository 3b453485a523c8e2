package dev.tollgate.server.api;

import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Files of the class path served as they are: the console's pages, scripts and styles, uPlot from its WebJar and the
 * browser client.
 *
 * <p>What a request may name: one file name ({@link #NAME}: letters, digits, {@code _} and {@code -}, then one or
 * more dot-separated extensions), looked up under a fixed folder of the class path. A name is one path segment,
 * checked after percent-decoding, so {@code ..}, {@code /}, {@code \} and {@code %2F} never reach the class loader:
 * there is no way out of the folder. An extension without a known type is not served. An unknown file is
 * {@code 404 ROUTE_NOT_FOUND}, as an unknown path is.
 *
 * <p>Caching: each file is read once, on its first request, and kept in memory with a strong {@code ETag} (a hash of
 * its bytes) and, for text above {@value #GZIP_ABOVE_BYTES} bytes, a gzip copy sent to clients that accept it. A
 * request whose {@code If-None-Match} names the current tag is answered {@code 304} without a body. The caller says
 * how long a browser may keep a file without asking ({@code Cache-Control}).
 *
 * <p>Security headers on every file: {@code X-Content-Type-Options: nosniff}, a strict {@code
 * Content-Security-Policy} (scripts, styles and requests of this origin only, no inline script or style, no plugins,
 * no framing), {@code Referrer-Policy: no-referrer} (a portal page's address never leaves in a {@code Referer}) and
 * {@code X-Frame-Options: DENY}.
 *
 * <p>Thread-safe: the cache is a concurrent map of immutable entries; two first requests may both read a file, and
 * either copy is kept.
 */
final class StaticAssets {
    /** What a file name may be: one path segment, no {@code ..}. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9]+)+");

    /** Text files at least this large are also kept gzipped. */
    static final int GZIP_ABOVE_BYTES = 1024;

    /** The policy of every page: nothing but this origin's own scripts, styles, images and API. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "json", "application/json",
            "txt", "text/plain; charset=utf-8");

    /** A file as kept: its bytes, their gzip copy or {@code null}, its type and a hash of its bytes. */
    @SuppressWarnings("ArrayRecordComponent") // kept and sent, never compared
    private record Loaded(byte[] bytes, byte @Nullable [] gzip, String contentType, String hash) {}

    private final ClassLoader loader;
    private final Map<String, Optional<Loaded>> cache = new ConcurrentHashMap<>();

    /** @param loader where the files are read from */
    StaticAssets(ClassLoader loader) {
        this.loader = loader;
    }

    /**
     * Answers the file {@code name} of {@code folder}.
     *
     * @param folder a folder of the class path, without leading or trailing {@code /} (e.g. {@code console})
     * @param name the file's name as the request gave it, percent-decoded
     * @param cacheControl the {@code Cache-Control} header to send
     * @param extra further headers (e.g. CORS for a file that other sites may load)
     * @throws ApiException {@code 404 ROUTE_NOT_FOUND} if {@code name} is not a file name or no such file exists
     */
    Reply serve(ApiRequest ctx, String folder, String name, String cacheControl, Map<String, String> extra) {
        Loaded file = NAME.matcher(name).matches()
                ? cache.computeIfAbsent(folder + "/" + name, this::load).orElse(null)
                : null;
        if (file == null) {
            throw new ApiException(404, "ROUTE_NOT_FOUND", "no file '" + name + "' here", null);
        }
        byte[] gzipped = file.gzip();
        byte[] body = file.bytes();
        boolean gzip = false;
        if (gzipped != null && acceptsGzip(ctx.header("Accept-Encoding"))) {
            body = gzipped;
            gzip = true;
        }
        String etag = '"' + file.hash() + (gzip ? "-gz" : "") + '"';
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Cache-Control", cacheControl);
        headers.put("ETag", etag);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        if (gzipped != null) {
            headers.put("Vary", "Accept-Encoding");
        }
        if (matches(ctx.header("If-None-Match"), etag)) {
            return new Reply(304, new Reply.Asset(file.contentType(), new byte[0], headers), false);
        }
        if (gzip) {
            headers.put("Content-Encoding", "gzip");
        }
        return Reply.ok(new Reply.Asset(file.contentType(), body, headers));
    }

    private Optional<Loaded> load(String resource) {
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            byte[] gzip = type.startsWith("text/") || type.startsWith("image/svg") || type.startsWith("application/")
                    ? gzipped(bytes)
                    : null;
            return Optional.of(new Loaded(bytes, gzip, type, hash(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the class path", e);
        }
    }

    private static byte @Nullable [] gzipped(byte[] bytes) throws IOException {
        if (bytes.length < GZIP_ABOVE_BYTES) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static String hash(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether {@code Accept-Encoding} accepts gzip: named (or {@code *}) without {@code q=0}. */
    static boolean acceptsGzip(@Nullable String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] pieces = part.trim().split(";");
            String coding = pieces[0].trim().toLowerCase(Locale.ROOT);
            if (!coding.equals("gzip") && !coding.equals("*")) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < pieces.length; i++) {
                String p = pieces[i].trim().replace(" ", "");
                refused |= p.equals("q=0") || p.matches("q=0\\.0{0,3}");
            }
            return !refused;
        }
        return false;
    }

    /** Whether {@code If-None-Match} names {@code etag} ({@code *} or a list, weak tags compared weakly). */
    private static boolean matches(@Nullable String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }
}
