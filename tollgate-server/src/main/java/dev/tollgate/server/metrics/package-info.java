/** Prometheus metrics: requests per route, decisions by reason, journal batches ({@code docs/reference/metrics.md}). */
@NullMarked
package dev.tollgate.server.metrics;

import org.jspecify.annotations.NullMarked;
