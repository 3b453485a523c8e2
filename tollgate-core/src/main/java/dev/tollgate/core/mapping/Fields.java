package dev.tollgate.core.mapping;

import dev.tollgate.core.json.IsoInstant;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What every writer of a JSON tree needs: a field written only when it has a value, and instants as text.
 *
 * <p>Instants: most answers, and most usage records, carry the same {@code resetsAt}, so the last instant formatted is
 * kept with its text and reused when the next one equals it (one comparison instead of formatting).
 *
 * <p>Thread-safe: the remembered instant is one immutable pair behind a volatile reference.
 */
public final class Fields {
    /** The last instant formatted and its text. */
    private record FormattedInstant(Instant instant, String text) {}

    private static volatile @Nullable FormattedInstant lastFormatted;

    private Fields() {}

    /** Puts {@code value} under {@code field} unless it is {@code null}: an absent value is an absent field. */
    public static void putPresent(Map<String, Object> m, String field, @Nullable Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }

    /** The ISO-8601 text of {@code t}, equal to {@link Instant#toString()}. */
    public static String instant(Instant t) {
        FormattedInstant last = lastFormatted;
        if (last != null && last.instant().equals(t)) {
            return last.text();
        }
        String text = IsoInstant.format(t);
        lastFormatted = new FormattedInstant(t, text);
        return text;
    }

    /** The text of {@code t} as {@link #instant}, or {@code null} when {@code t} is. */
    public static @Nullable String instantOrNull(@Nullable Instant t) {
        return t == null ? null : instant(t);
    }
}
