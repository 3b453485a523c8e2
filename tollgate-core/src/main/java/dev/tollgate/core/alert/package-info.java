/** Alerts: threshold crossings and credit events, raised once per threshold per period, and the webhooks that receive them. */
@NullMarked
package dev.tollgate.core.alert;

import org.jspecify.annotations.NullMarked;
