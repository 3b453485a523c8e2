package dev.tollgate.server.cluster;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.json.JsonFactory;

/**
 * Cuts a batch of events ({@code {"events": [...]}}) into its items as the client sent them, byte for byte, and
 * builds a batch again from some of them: a batch that names customers owned by several servers is split by owner
 * without re-encoding any event (so an event that a server would refuse is refused there exactly as it would be).
 *
 * <p>Pure and thread-safe.
 */
final class EventSlices {
    private static final TokenStreamFactory JSON = new JsonFactory();

    private EventSlices() {}

    /**
     * The bytes of each item of the top-level {@code events} array.
     *
     * @return the items in order, or {@code null} if the body is not an object whose one {@code events} is an array of
     *     well-formed JSON (the receiving server then refuses it as a single server would)
     */
    static @Nullable List<byte[]> items(byte[] body) {
        List<byte[]> items = null;
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("events".equals(name) && (value != JsonToken.START_ARRAY || items != null)) {
                    return null; // not an array, or named twice: refused whole, as a server alone refuses it
                }
                if ("events".equals(name)) {
                    items = new ArrayList<>();
                    for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        p.finishToken(); // a string is read lazily: its end is known once it is finished
                        int end = (int) p.currentLocation().getByteOffset();
                        byte[] slice = new byte[end - start];
                        System.arraycopy(body, start, slice, 0, slice.length);
                        items.add(slice);
                    }
                } else {
                    p.skipChildren();
                }
            }
            return p.nextToken() == null ? items : null;
        } catch (JacksonException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** A batch body of {@code items}, in order. */
    static byte[] batch(List<byte[]> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("{\"events\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(items.get(i));
        }
        out.writeBytes("]}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
