package dev.tollgate.store.tests;

import dev.tollgate.testkit.contract.IdempotencyContract;
import dev.tollgate.testkit.contract.StoreSpec;
import java.util.List;

/** {@link IdempotencyContract} on every store of {@link StoreSpecs#all()}. */
final class IdempotencyContractIT extends IdempotencyContract {
    static List<StoreSpec> stores() {
        return StoreSpecs.all();
    }
}
