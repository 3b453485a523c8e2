// Reading a customer's ledger, which the API pages oldest first: up to `most` entries, and whether that was all.

const PAGE = 1000;

export async function readLedger(api, base, most = 5000) {
    const entries = [];
    let cursor = null;
    do {
        const page = await api.get(`${base}/ledger`, { limit: PAGE, cursor });
        entries.push(...page.entries);
        cursor = page.nextCursor;
    } while (cursor && entries.length < most);
    return { entries, complete: !cursor };
}
