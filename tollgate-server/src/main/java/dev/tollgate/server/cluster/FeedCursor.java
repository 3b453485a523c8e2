package dev.tollgate.server.cluster;

import dev.tollgate.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Where a subscriber of the cluster's change feed stands: for each node, the cursor of that node's feed up to which it
 * has been sent everything. A node's cursors are its own (one process's, {@code feed/ChangeFeed}); the nodes' feeds are
 * merged, not ordered against each other, so the position in the merged feed is the set of them.
 *
 * <p>Written as {@code m} followed by the base64url (no padding) of a JSON object of node id to cursor (a decimal
 * string): opaque to clients, safe in a query string and in an SSE {@code id:} line. A plain decimal cursor (a server
 * alone's, or a node's own feed) places the subscriber nowhere in the cluster's feed: it resumes with a snapshot.
 *
 * <p>Immutable and thread-safe.
 */
record FeedCursor(SortedMap<String, Long> positions) {
    private static final String PREFIX = "m";

    /** No position: a first connection. */
    static final FeedCursor NONE = new FeedCursor(new TreeMap<>());

    FeedCursor {
        positions = Collections.unmodifiableSortedMap(new TreeMap<>(positions));
    }

    /**
     * Reads a cursor a client sent.
     *
     * @param raw what the client sent, or {@code null}
     * @return the position; {@link #NONE} for {@code null} or a plain decimal cursor
     * @throws IllegalArgumentException if {@code raw} is neither a cursor of this form nor a whole number
     */
    static FeedCursor parse(@Nullable String raw) {
        if (raw == null || raw.matches("[0-9]{1,19}")) {
            return NONE;
        }
        if (!raw.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a cursor");
        }
        Object tree;
        try {
            tree = Json.parse(new String(Base64.getUrlDecoder().decode(raw.substring(1)), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a cursor", e);
        }
        if (!(tree instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("not a cursor");
        }
        SortedMap<String, Long> positions = new TreeMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String v) || !v.matches("[0-9]{1,19}")) {
                throw new IllegalArgumentException("not a cursor");
            }
            try {
                positions.put(String.valueOf(e.getKey()), Long.parseLong(v));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("not a cursor", ex);
            }
        }
        return new FeedCursor(positions);
    }

    /** The cursor of node {@code nodeId}'s feed, or {@code null} if this subscriber was never sent any of it. */
    @Nullable
    Long of(String nodeId) {
        return positions.get(nodeId);
    }

    /** This position with node {@code nodeId}'s cursor moved to {@code cursor}, never back. */
    FeedCursor with(String nodeId, long cursor) {
        Long at = positions.get(nodeId);
        if (at != null && at >= cursor) {
            return this;
        }
        SortedMap<String, Long> moved = new TreeMap<>(positions);
        moved.put(nodeId, cursor);
        return new FeedCursor(moved);
    }

    /**
     * This position without the nodes not in {@code nodeIds}: a node that left is forgotten, so that the cursor does not
     * grow with every node id a cluster ever had (a new process of a node is a new id when ids name hosts); if that node
     * comes back, its feed starts again with a snapshot of what it holds, which is always safe.
     */
    FeedCursor retain(Set<String> nodeIds) {
        if (nodeIds.containsAll(positions.keySet())) {
            return this;
        }
        SortedMap<String, Long> kept = new TreeMap<>(positions);
        kept.keySet().retainAll(nodeIds);
        return new FeedCursor(kept);
    }

    /** The cursor as a client sends it back. */
    String encode() {
        Map<String, Object> json = new TreeMap<>();
        positions.forEach((node, cursor) -> json.put(node, Long.toString(cursor)));
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Json.writeBytes(json));
    }
}
