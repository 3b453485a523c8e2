package dev.tollgate.client;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The usage spool: what could not reach the server, on local disk until it can, delivered exactly once.
 *
 * <p>Format: append-only segment files {@code segment-<n>.log} of lines {@code <crc32 hex> <json>\n}; each JSON
 * carries {@code "v": 1} and is a reported event ({@code "t": "event"}, the {@code event} as the application made
 * it and, if it has no timestamp, {@code madeAt}: when it was reported) or the close of a lease's session
 * ({@code "t": "close"}, {@code sessionId}, {@code used}). A {@code checkpoint} file (replaced atomically) says up to
 * which segment and byte everything was delivered. Delivery is at least once from here, and exactly once on the
 * server: events carry their idempotency keys (a repeat answers {@code duplicate}) and a close is idempotent by its
 * session.
 *
 * <p>Failure modes: {@link #append} forces the batch to disk before it returns (one fsync per batch). A process killed
 * in the middle of an append leaves a torn last line: its checksum fails or its newline is missing, and opening the
 * spool cuts it off, so the next append starts on a clean line. A line that fails its checksum elsewhere ends what
 * is read of its segment. The spool holds at most {@code maxBytes}; beyond, {@link #append} refuses with {@code
 * SPOOL_FULL}. Segments fully delivered are deleted.
 *
 * <p>Concurrency: one process per directory (a file lock, refused otherwise); within it, methods are synchronized.
 */
final class Spool implements Closeable {
    private static final long SEGMENT_BYTES = 16L * 1024 * 1024;
    private static final String CHECKPOINT = "checkpoint";

    /** One spooled item. */
    sealed interface Entry permits EventEntry, CloseEntry {}

    /**
     * A reported event, as the application made it, and when it made it.
     *
     * @param event the event as reported (its timestamp {@code null} if the application gave none)
     * @param madeAt when it was reported, for an event without a timestamp; else {@code null}
     */
    record EventEntry(UsageEvent event, @Nullable Instant madeAt) implements Entry {
        /** An event that carries its own timestamp, or needs none. */
        EventEntry(UsageEvent event) {
            this(event, null);
        }

        /** The event as delivered from the spool: stamped {@link #madeAt} if it had no timestamp. */
        UsageEvent placed() {
            return event.timestamp() == null && madeAt != null ? event.at(madeAt) : event;
        }
    }

    /** The close of a lease's session with what was admitted against it. */
    record CloseEntry(String sessionId, BigDecimal used) implements Entry {}

    /** A place in the spool: the next byte to read. */
    record Position(long segment, long offset) {}

    /** Entries read from the checkpoint on, and the position after them. */
    record Batch(List<Entry> entries, Position end) {}

    private final Path dir;
    private final long maxBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final TreeMap<Long, Long> sizes = new TreeMap<>();
    private FileChannel active;
    private long activeSegment;
    private Position checkpoint;

    private Spool(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(dir);
        this.lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IllegalStateException("the spool directory " + dir + " is used by another process");
        }
        this.lock = l;
        try (var files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("segment-") && n.endsWith(".log"))
                    .forEach(n -> sizes.put(Long.parseLong(n.substring(8, n.length() - 4)), 0L));
        }
        this.checkpoint = readCheckpoint();
        this.activeSegment = sizes.isEmpty() ? Math.max(1, checkpoint.segment()) : sizes.lastKey();
        this.active = openSegment(activeSegment);
        for (Map.Entry<Long, Long> e : sizes.entrySet()) {
            e.setValue(Files.size(segment(e.getKey())));
        }
        repairTail();
    }

    /**
     * Opens (or creates) the spool in {@code dir}.
     *
     * @throws UncheckedIOException if the directory cannot be used
     * @throws IllegalStateException if another process uses it
     */
    static Spool open(Path dir, long maxBytes) {
        try {
            return new Spool(dir, maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the spool in " + dir, e);
        }
    }

    /**
     * Writes {@code entries} and forces them to disk.
     *
     * @throws TollgateClientException {@code SPOOL_FULL} if they do not fit within the bound (nothing is written)
     * @throws UncheckedIOException if the disk refuses
     */
    synchronized void append(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] json = Wire.write(json(e));
            CRC32 crc = new CRC32();
            crc.update(json);
            out.writeBytes(String.format("%08x ", crc.getValue()).getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(json);
            out.write('\n');
        }
        if (bytes() + out.size() > maxBytes) {
            throw new TollgateClientException(
                    "SPOOL_FULL", 0, null, "the spool in " + dir + " holds " + bytes() + " of " + maxBytes + " bytes");
        }
        try {
            if (activeSize() >= SEGMENT_BYTES) {
                roll();
            }
            ByteBuffer buf = ByteBuffer.wrap(out.toByteArray());
            while (buf.hasRemaining()) {
                active.write(buf);
            }
            active.force(false);
            sizes.merge(activeSegment, (long) out.size(), Long::sum);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the spool in " + dir, e);
        }
    }

    /** Up to {@code max} entries from the checkpoint on (fewer at the end), and where they end. */
    synchronized Batch read(int max) {
        List<Entry> entries = new ArrayList<>();
        Position at = checkpoint;
        try {
            while (entries.size() < max) {
                Position next = readSegment(at, entries, max);
                if (next.equals(at)) {
                    Long later = sizes.higherKey(at.segment());
                    if (later == null) {
                        break;
                    }
                    next = new Position(later, 0);
                }
                at = next;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spool in " + dir, e);
        }
        return new Batch(entries, at);
    }

    /** Everything before {@code delivered} was delivered: moves the checkpoint there and deletes spent segments. */
    synchronized void commit(Position delivered) {
        try {
            Path tmp = dir.resolve(CHECKPOINT + ".tmp");
            try (FileChannel c = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                c.write(ByteBuffer.wrap(
                        (delivered.segment() + " " + delivered.offset() + "\n").getBytes(StandardCharsets.US_ASCII)));
                c.force(true);
            }
            Files.move(tmp, dir.resolve(CHECKPOINT), StandardCopyOption.ATOMIC_MOVE);
            checkpoint = delivered;
            while (sizes.firstKey() < delivered.segment()) {
                Files.deleteIfExists(segment(sizes.pollFirstEntry().getKey()));
            }
            if (delivered.segment() == activeSegment && delivered.offset() >= activeSize()) {
                if (delivered.offset() > 0) {
                    roll();
                    commit(new Position(activeSegment, 0));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the spool's checkpoint in " + dir, e);
        }
    }

    /** Whether everything spooled was delivered. */
    synchronized boolean isEmpty() {
        return checkpoint.segment() == activeSegment && checkpoint.offset() >= activeSize();
    }

    private long activeSize() {
        return Objects.requireNonNull(sizes.get(activeSegment), "the active segment is always sized");
    }

    /** Bytes on disk, delivered or not. */
    synchronized long bytes() {
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public synchronized void close() {
        try {
            active.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void roll() throws IOException {
        active.close();
        activeSegment++;
        active = openSegment(activeSegment);
        sizes.put(activeSegment, 0L);
    }

    private FileChannel openSegment(long n) throws IOException {
        sizes.putIfAbsent(n, 0L);
        return FileChannel.open(
                segment(n), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private Path segment(long n) {
        return dir.resolve(String.format("segment-%020d.log", n));
    }

    /** Cuts a torn last line off the active segment (a process killed in the middle of an append). */
    @SuppressWarnings("AssignmentExpression") // reads on until a read moves no further
    private void repairTail() throws IOException {
        List<Entry> ignored = new ArrayList<>();
        long from = checkpoint.segment() == activeSegment ? checkpoint.offset() : 0;
        Position end = new Position(activeSegment, from);
        Position next;
        while (!(next = readSegment(end, ignored, 10_000)).equals(end)) {
            end = next;
            ignored.clear();
        }
        if (end.offset() < activeSize()) {
            active.truncate(end.offset());
            active.force(true);
            sizes.put(activeSegment, end.offset());
        }
    }

    /** Reads whole valid lines of {@code at}'s segment into {@code into}; the position after the last one read. */
    private Position readSegment(Position at, List<Entry> into, int max) throws IOException {
        Long size = sizes.get(at.segment());
        if (size == null || at.offset() >= size) {
            return at;
        }
        try (FileChannel c = FileChannel.open(segment(at.segment()), StandardOpenOption.READ)) {
            int length = (int) Math.min(size - at.offset(), 4L * 1024 * 1024);
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining() && c.read(buf, at.offset() + buf.position()) > 0) {
                // reading the chunk
            }
            byte[] bytes = buf.array();
            int start = 0;
            long offset = at.offset();
            for (int i = 0; i < buf.position() && into.size() < max; i++) {
                if (bytes[i] != '\n') {
                    continue;
                }
                Entry e = parse(bytes, start, i);
                if (e == null) {
                    return new Position(at.segment(), offset);
                }
                into.add(e);
                offset += i + 1 - start;
                start = i + 1;
            }
            return new Position(at.segment(), offset);
        }
    }

    private static @Nullable Entry parse(byte[] bytes, int start, int end) {
        if (end - start < 10 || bytes[start + 8] != ' ') {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, start + 9, end - start - 9);
        String sum = new String(bytes, start, 8, StandardCharsets.US_ASCII);
        if (!sum.equals(String.format("%08x", crc.getValue()))) {
            return null;
        }
        JsonNode n = Wire.read(new String(bytes, start + 9, end - start - 9, StandardCharsets.UTF_8));
        if (n.path("v").asInt(0) != 1) {
            return null;
        }
        return switch (n.path("t").asString("")) {
            case "event" -> new EventEntry(Wire.event(n.path("event")), Wire.instant(n, "madeAt"));
            case "close" ->
                new CloseEntry(n.path("sessionId").asString(), n.path("used").decimalValue());
            default -> null;
        };
    }

    private static Map<String, Object> json(Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 1);
        if (e instanceof EventEntry ev) {
            m.put("t", "event");
            m.put("event", Wire.event(ev.event()));
            if (ev.madeAt() != null) {
                m.put("madeAt", ev.madeAt().toString());
            }
        } else if (e instanceof CloseEntry c) {
            m.put("t", "close");
            m.put("sessionId", c.sessionId());
            m.put("used", c.used());
        }
        return m;
    }

    private Position readCheckpoint() throws IOException {
        Path p = dir.resolve(CHECKPOINT);
        if (!Files.exists(p)) {
            return new Position(sizes.isEmpty() ? 1 : sizes.firstKey(), 0);
        }
        String[] parts = Files.readString(p, StandardCharsets.US_ASCII).trim().split(" ");
        return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
    }
}
