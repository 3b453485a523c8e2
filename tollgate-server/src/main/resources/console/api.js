// The HTTP API as the pages call it: JSON in and out, the key or portal token as a bearer credential, errors as
// ApiError with the API's stable code and field.

/** A refusal of the API: `status`, the stable `code`, the offending `field` (or null), and its message. */
export class ApiError extends Error {
    constructor(status, code, message, field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field || null;
    }
}

/** A fresh idempotency key: one per action the user takes, so that a retried request is applied once. */
export function idempotencyKey(prefix) {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return `${prefix}-${Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A path with query parameters; absent (null, undefined, '') ones are left out. */
export function withQuery(path, query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query || {})) {
        if (value !== null && value !== undefined && value !== '') {
            params.set(name, value);
        }
    }
    const text = params.toString();
    return text ? `${path}?${text}` : path;
}

/** Encodes one id for a path segment. */
export function seg(id) {
    return encodeURIComponent(id);
}

/**
 * A client of the API with `credential` (a secret key or a portal token). `onUnauthorized` is called on a 401 (the
 * key was revoked or the token expired) before the error is thrown.
 */
export function apiClient(credential, onUnauthorized) {
    async function send(method, path, body, headers = {}) {
        const init = {
            method,
            headers: { Accept: 'application/json', Authorization: `Bearer ${credential}`, ...headers },
            credentials: 'omit',
            cache: 'no-store',
        };
        if (body !== undefined) {
            init.headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(body);
        }
        let response;
        try {
            response = await fetch(path, init);
        } catch (e) {
            throw new ApiError(0, 'NETWORK', 'the server cannot be reached; check the connection and retry', null);
        }
        const type = response.headers.get('Content-Type') || '';
        const data = type.includes('json') ? await response.json() : await response.text();
        if (!response.ok) {
            const error = data && data.error ? data.error : { code: `HTTP_${response.status}`, message: String(data) };
            if (response.status === 401 && onUnauthorized) {
                onUnauthorized(error);
            }
            throw new ApiError(response.status, error.code, error.message, error.field);
        }
        return data;
    }
    return {
        get: (path, query) => send('GET', withQuery(path, query)),
        put: (path, body) => send('PUT', path, body),
        post: (path, body, headers) => send('POST', path, body, headers),
        delete: path => send('DELETE', path),
        /** GET of a text answer (a CSV export), returned as text. */
        text: (path, query) => send('GET', withQuery(path, query), undefined, { Accept: 'text/csv' }),
    };
}

/** A user-facing sentence for an error: the API's message, with the field it names. */
export function describe(error) {
    if (error instanceof ApiError) {
        return error.field ? `${error.message} (${error.field})` : error.message;
    }
    return String(error && error.message ? error.message : error);
}
