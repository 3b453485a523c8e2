package dev.tollgate.store.sqlite;

import dev.tollgate.core.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive claim of one process on a data directory: an OS file lock on {@code tollgate.lock} inside it, held for
 * as long as the store is open, with the holder's process id written in the file for the message a second process
 * prints.
 *
 * <p>Why: the engine is the single writer of every customer it serves, from memory. Two processes on one SQLite file
 * would each decide from their own memory and together admit twice a hard limit. SQLite's own locks serialise the
 * transactions, not the decisions.
 *
 * <p>The lock is the kernel's ({@code fcntl}): it goes with the process, so a process killed with {@code kill -9}
 * leaves no stale claim, and the file itself is never deleted (deleting it would let a third process lock a new file
 * while the second still holds the old one). Thread-safe; {@link #close} may be called more than once.
 */
final class DataDirectoryLock implements AutoCloseable {
    /** The lock file's name inside the data directory. */
    static final String FILE_NAME = "tollgate.lock";

    /**
     * The directories this process holds. A second claim by this process is refused here, before a second descriptor on
     * the lock file exists: closing any descriptor of a file drops all of the process's {@code fcntl} locks on it, so
     * a refused second open that opened and closed the file would silently free the first one's claim.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and claims it for this process.
     *
     * @param dataDir the data directory
     * @return the claim; release it when the store closes
     * @throws StoreException if the directory cannot be created or written, or another process holds it (the message
     *     names that process)
     */
    static DataDirectoryLock acquire(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        if (!HELD.add(dir)) {
            throw inUse(dir, String.valueOf(ProcessHandle.current().pid()));
        }
        try {
            return claim(dir);
        } catch (RuntimeException e) {
            HELD.remove(dir);
            throw e;
        }
    }

    private static DataDirectoryLock claim(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel;
        try {
            createPrivately(dir);
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException("cannot use the data directory " + dir + ": " + reason(e), e);
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw inUse(dir, holder);
            }
            channel.truncate(0);
            channel.write(
                    ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
            return new DataDirectoryLock(dir, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock the data directory " + dir + ": " + reason(e), e);
        }
    }

    /** Creates the directory, and its missing parents, {@code 0700}: the store holds webhook secrets. */
    private static void createPrivately(Path dir) throws IOException {
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir); // not a POSIX file system: the platform's default access
        }
    }

    private static StoreException inUse(Path dir, String holder) {
        return new StoreException("the data directory " + dir + " is in use by process " + holder);
    }

    /** The holder's pid, read through the channel already open: see the class comment on descriptors. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "(unknown)" : pid;
        } catch (IOException e) {
            return "(unknown)";
        }
    }

    private static String reason(IOException e) {
        String kind = e.getClass().getSimpleName().replace("Exception", "");
        return e.getMessage() == null ? kind : kind + " " + e.getMessage();
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the claim failed already; the channel's close error adds nothing
        }
    }

    /** Gives the directory up; another process may claim it from now on. */
    @Override
    public synchronized void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new StoreException("cannot release the data directory lock", e);
        } finally {
            HELD.remove(dir);
        }
    }
}
