/** Effective entitlements: the merge of plan chain, add-ons, trial and promotions, most generous wins. */
@NullMarked
package dev.tollgate.core.entitlement;

import org.jspecify.annotations.NullMarked;
