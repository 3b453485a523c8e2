package dev.tollgate.core.engine;

import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A session as it stands.
 *
 * @param session the session as opened
 * @param status {@code open}, {@code closed} or {@code expired}
 * @param expiresAt the current deadline
 * @param consumed what was consumed inside it
 * @param held what it still holds (0 unless open)
 */
public record SessionView(Session session, String status, Instant expiresAt, BigDecimal consumed, BigDecimal held) {}
