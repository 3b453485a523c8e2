/**
 * The sidecar ({@code java -jar tollgate-server.jar sidecar --upstream URL ...}): the request-path API served on the
 * loopback interface by the server's own HTTP front, answered by the {@code Tollgate} SDK inside. {@code Sidecar}
 * starts it, {@code SidecarRoutes} answers each route, {@code SidecarService} dispatches and maps failures,
 * {@code SidecarViews} writes the SDK's answers as the server's JSON, {@code FallbackFile} reads the fallback values.
 * See {@code docs/sidecar.md}.
 */
@NullMarked
package dev.tollgate.server.sidecar;

import org.jspecify.annotations.NullMarked;
