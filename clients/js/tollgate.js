// Tollgate's browser client: what a product's own frontend reads of one customer (its entitlements with their usage,
// and its balances) with a publishable key and that customer's token. An ES module, no build step, no dependency.
//
// The publishable key is public by design: it may only read, and only the customer whose token the request carries.
// The token (hex HMAC-SHA256 of the customer id under the key's signing secret) is made by the vendor's backend and
// handed to its own page; the signing secret never reaches the browser. The page's origin must be listed in the
// server's TOLLGATE_CORS_ORIGINS. See docs/security.md.

/** A refusal of the API: `status` (0 when the server could not be reached), the stable `code`, the `field`. */
export class TollgateError extends Error {
    constructor(status, code, message, field) {
        super(message);
        this.name = 'TollgateError';
        this.status = status;
        this.code = code;
        this.field = field || null;
    }
}

/**
 * A client for one customer.
 *
 * options: `baseUrl` (the Tollgate server, e.g. 'https://tollgate.example.com'), `publishableKey` ('tg_pk_...'),
 * `customerId`, `customerToken` (from the vendor's backend), and optionally `fetch` (a fetch function to use).
 */
export class TollgateClient {
    constructor({ baseUrl, publishableKey, customerId, customerToken, fetch: fetchFn } = {}) {
        for (const [name, value] of Object.entries({ baseUrl, publishableKey, customerId, customerToken })) {
            if (typeof value !== 'string' || !value) {
                throw new TypeError(`TollgateClient: ${name} is required`);
            }
        }
        this.baseUrl = baseUrl.replace(/\/+$/, '');
        this.customerId = customerId;
        this.publishableKey = publishableKey;
        this.customerToken = customerToken;
        this.fetch = fetchFn || globalThis.fetch.bind(globalThis);
    }

    /**
     * The customer's entitlements and balances: `{customerId, entitlements: [...], balances: [...]}`, each entitlement
     * as GET /v1/customers/{id}/entitlements shows it (`feature`, `type`, `limit`, `used`, `held`, `remaining`,
     * `unlimited`, `resetsAt`, `enabled`, `value`, ...).
     */
    async entitlements() {
        const path = `/v1/public/customers/${encodeURIComponent(this.customerId)}/entitlements`;
        let response;
        try {
            response = await this.fetch(this.baseUrl + path, {
                method: 'GET',
                headers: {
                    Accept: 'application/json',
                    Authorization: `Bearer ${this.publishableKey}`,
                    'X-Customer-Token': this.customerToken,
                },
                credentials: 'omit',
                cache: 'no-store',
            });
        } catch (e) {
            throw new TollgateError(0, 'NETWORK',
                `Tollgate cannot be reached at ${this.baseUrl} (offline, or this page's origin is not allowed by CORS)`, null);
        }
        const body = await response.json().catch(() => null);
        if (!response.ok) {
            const error = body && body.error ? body.error : { code: `HTTP_${response.status}`, message: response.statusText };
            throw new TollgateError(response.status, error.code, error.message, error.field);
        }
        return body;
    }

    /** One feature's entitlement (with its usage), or null when the customer has none. */
    async entitlement(feature) {
        const data = await this.entitlements();
        return data.entitlements.find(e => e.feature === feature) || null;
    }

    /** One currency's balance (`available`, `held`, `overdraft`, ...), or null. */
    async balance(currency) {
        const data = await this.entitlements();
        return data.balances.find(b => b.currency === currency) || null;
    }

    /**
     * Whether the customer may use `feature` now, as a UI hint (show or gate a button): a boolean feature enabled, a
     * metered one unlimited, soft, or with something remaining. The server still decides at `check`/`consume`.
     */
    async allows(feature) {
        const e = await this.entitlement(feature);
        return allows(e);
    }
}

/** Whether an entitlement lets its feature be used now (see TollgateClient.allows). */
export function allows(e) {
    if (!e) {
        return false;
    }
    if (e.type === 'boolean') {
        return Boolean(e.enabled);
    }
    if (e.type === 'metered') {
        return Boolean(e.unlimited) || e.enforcement === 'soft' || Number(e.remaining) > 0;
    }
    return true;
}
