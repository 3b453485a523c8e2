package dev.tollgate.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A client's settings, checked by {@link TollgateBuilder}. Immutable. */
record ClientSettings(
        URI baseUrl,
        String apiKey,
        Duration timeout,
        Fallback fallback,
        @Nullable Path spoolDirectory,
        long spoolMaxBytes,
        int reportBatchSize,
        Duration reportLinger,
        int maxQueuedLeaseEvents,
        LeaseSettings leases,
        Duration cacheTtl,
        boolean changeFeed,
        boolean routeToOwner,
        @Nullable String redisUrl) {}
