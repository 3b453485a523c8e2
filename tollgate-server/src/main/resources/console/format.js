// How figures and times read: the browser's locale, exact digits as the API sent them (up to 12 decimals).

const plain = new Intl.NumberFormat(undefined, { maximumFractionDigits: 12 });
const short = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** A quantity or credit amount; '—' when absent. */
export function num(value) {
    if (value === null || value === undefined || value === '') {
        return '—';
    }
    return plain.format(Number(value));
}

/** An amount with a sign, for ledger lines. */
export function signed(value) {
    const n = Number(value);
    return (n > 0 ? '+' : '') + plain.format(n);
}

/** A figure rounded to 2 decimals, for charts' totals. */
export function round(value) {
    return short.format(Number(value));
}

/** A large figure in short form (1.2K). */
export function brief(value) {
    return compact.format(Number(value));
}

/** A limit: 'unlimited' when the entitlement says so. */
export function limit(entitlement) {
    return entitlement.unlimited || entitlement.limit === 'unlimited' ? 'unlimited' : num(entitlement.limit);
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** An ISO instant as a local date and time; '—' when absent. */
export function dateTime(iso) {
    return iso ? dateTimeFormat.format(new Date(iso)) : '—';
}

/** An ISO instant as a local date. */
export function date(iso) {
    return iso ? dateFormat.format(new Date(iso)) : '—';
}

/** A share as a percentage. */
export function percent(fraction) {
    return `${short.format(Number(fraction) * 100)} %`;
}
