// One customer, for an operator: subscription, entitlements, balances, grants (grant, void) and the ledger (refund).
// Each section loads on its own and reloads after an action, so the rest of the page and the focus stay put.

import { describe, idempotencyKey, seg } from './api.js';
import { announce, confirmDialog, field, h, mount, notice, select } from './dom.js';
import { dateTime, limit, num, signed } from './format.js';
import { statusBadge } from './op-customers.js';
import { readLedger } from './ledger.js';
import { csvButton, download, table } from './table.js';

const LEDGER_SHOWN = 50;

/** A section that loads itself: `load()` draws it again. */
function section(title, id, render) {
    const body = h('div', { class: 'loading' }, 'Loading…');
    const actions = h('div', { class: 'table-actions' });
    const card = h('section', { class: 'card', 'aria-labelledby': id },
        h('header', {}, h('h2', { id }, title), actions), body);
    const load = async () => {
        try {
            const [content, extra] = await render();
            mount(body, content);
            mount(actions, extra || []);
        } catch (e) {
            mount(body, notice('error', describe(e)));
        }
    };
    return { card, load };
}

export async function customerView(api, id) {
    const base = `/v1/customers/${seg(id)}`;
    const customer = await api.get(base);
    const sub = customer.subscription;
    let balances = [];

    const entitlements = section('Entitlements', 'ent-title', async () => {
        const data = await api.get(`${base}/entitlements`);
        const columns = [
            { key: 'feature', label: 'Feature', rowHeader: true },
            { key: 'type', label: 'Type', opt: true },
            { key: 'limit', label: 'Limit or value', num: true, render: e => (e.type === 'metered' ? limit(e)
                : e.type === 'config' ? num(e.value) : (e.enabled ? 'on' : 'off')),
            csv: e => (e.type === 'metered' ? (e.unlimited ? 'unlimited' : e.limit) : e.type === 'config' ? e.value : e.enabled) },
            { key: 'used', label: 'Used', num: true, render: e => num(e.used) },
            { key: 'held', label: 'Held', num: true, opt: true, render: e => num(e.held) },
            { key: 'remaining', label: 'Remaining', num: true, render: e => (e.unlimited ? '∞' : num(e.remaining)) },
            { key: 'resetsAt', label: 'Resets', opt: true, render: e => dateTime(e.resetsAt) },
            { key: 'source', label: 'Source', opt: true },
        ];
        return [table({ caption: 'Entitlements', columns, rows: data.entitlements, empty: 'No entitlement: the customer has no plan or promotion.' }),
            csvButton(`entitlements-${id}.csv`, columns, () => data.entitlements)];
    });

    const ledger = section('Ledger', 'ledger-title', async () => {
        const read = await readLedger(api, base);
        const ledgerRows = read.entries;
        const refunded = new Set(ledgerRows.filter(e => e.type === 'REFUND').map(e => e.idempotencyKey));
        const offered = new Set();
        const rows = ledgerRows.slice().reverse();
        const columns = [
            { key: 'seq', label: '#', num: true, opt: true },
            { key: 'time', label: 'Time', nowrap: true, render: e => dateTime(e.time), csv: e => e.time },
            { key: 'type', label: 'Type', render: e => h('span', { class: 'badge' }, e.type) },
            { key: 'amount', label: 'Amount', num: true, render: e => signed(e.amount),
                cellClass: e => (Number(e.amount) < 0 ? 'neg' : 'pos') },
            { key: 'currency', label: 'Currency', opt: true },
            { key: 'balanceAfter', label: 'Balance after', num: true, opt: true, render: e => num(e.balanceAfter) },
            { key: 'detail', label: 'Detail', render: detail, csv: e => e.feature || e.grantId },
            { key: 'idempotencyKey', label: 'Key', opt: true, render: e => h('code', {}, e.idempotencyKey || '') },
            { key: 'action', label: 'Action', csv: false, render: e => refundButton(e) },
        ];
        function refundButton(e) {
            if (e.type !== 'CONSUME' || !e.idempotencyKey || offered.has(e.idempotencyKey)) {
                return '';
            }
            offered.add(e.idempotencyKey);
            if (refunded.has(e.idempotencyKey)) {
                return h('span', { class: 'badge' }, 'refunded');
            }
            return h('button', {
                type: 'button', class: 'small danger', 'aria-label': `Refund ${e.idempotencyKey}`,
                onclick: async event => refund(e.idempotencyKey, event.currentTarget),
            }, 'Refund');
        }
        const note = read.complete ? null : notice('info', `Only the first ${ledgerRows.length} entries were read. The CSV holds them all.`);
        const holder = h('div');
        let shown = 0;
        const more = h('button', { type: 'button', class: 'small' }, 'Show older entries');
        const showMore = () => {
            shown = Math.min(rows.length, shown + LEDGER_SHOWN);
            mount(holder, table({ caption: 'Ledger, newest first', columns, rows: rows.slice(0, shown), empty: 'The ledger is empty.' }),
                h('p', { class: 'muted' }, `${shown} of ${rows.length} entries, newest first`));
            more.hidden = shown >= rows.length;
        };
        more.addEventListener('click', () => { showMore(); announce(`${shown} entries shown`); });
        showMore();
        const exportAll = h('button', { type: 'button', class: 'small', onclick: async () => {
            try {
                download(`ledger-${id}.csv`, await api.text(`${base}/ledger/export`, { format: 'csv' }));
            } catch (e) {
                announce(describe(e));
            }
        } }, 'Download CSV');
        return [h('div', {}, note, holder, more), exportAll];
    });

    const grants = section('Grants', 'grants-title', async () => {
        const data = await api.get(`${base}/grants`);
        const columns = [
            { key: 'id', label: 'Grant', rowHeader: true, render: g => (g.source === 'allotment'
                ? h('span', { title: g.id }, 'plan allotment')
                : h('code', {}, g.id)) },
            { key: 'category', label: 'Category', opt: true },
            { key: 'amount', label: 'Amount', num: true, render: g => `${num(g.amount)} ${g.currency}`, csv: g => g.amount },
            { key: 'remaining', label: 'Remaining', num: true, render: g => num(g.remaining) },
            { key: 'status', label: 'Status', render: g => h('span', { class: `badge ${g.status === 'active' ? 'ok' : ''}` }, g.status) },
            { key: 'expiresAt', label: 'Expires', opt: true, render: g => dateTime(g.expiresAt) },
            { key: 'action', label: 'Action', csv: false, render: g => (g.status === 'active' || g.status === 'pending'
                ? h('button', { type: 'button', class: 'small danger', 'aria-label': `Void grant ${g.id}`,
                    onclick: async event => voidGrant(g, event.currentTarget) }, 'Void')
                : '') },
        ];
        return [table({ caption: 'Grants', columns, rows: data.grants, empty: 'No grant yet.' }),
            csvButton(`grants-${id}.csv`, columns, () => data.grants)];
    });

    const balance = section('Balances', 'bal-title', async () => {
        const data = await api.get(`${base}/balance`);
        balances = data.balances;
        if (!balances.length) {
            return [h('p', { class: 'empty' }, 'The catalog has no currency.')];
        }
        return [h('dl', { class: 'stats' }, balances.flatMap(b => [
            h('div', { class: 'stat' }, h('dt', {}, `${b.currency} available`), h('dd', { 'data-balance': b.currency }, num(b.available))),
            h('div', { class: 'stat' }, h('dt', {}, `${b.currency} held`), h('dd', {}, num(b.held))),
            h('div', { class: 'stat' }, h('dt', {}, `${b.currency} overdraft`), h('dd', {}, num(b.overdraft))),
        ]))];
    });

    async function reloadCredits() {
        await Promise.all([balance.load(), grants.load(), ledger.load()]);
    }

    async function voidGrant(g, button) {
        if (!await confirmDialog('Void this grant?', `Grant ${g.id} has ${num(g.remaining)} ${g.currency} left. Voiding takes them away; it cannot be undone.`, 'Void grant')) {
            return;
        }
        button.disabled = true;
        try {
            await api.post(`${base}/grants/${seg(g.id)}/void`);
            announce(`Grant ${g.id} voided`);
            await reloadCredits();
        } catch (e) {
            button.disabled = false;
            announce(describe(e));
            window.alert(describe(e));
        }
    }

    async function refund(key, button) {
        if (!await confirmDialog('Refund this consumption?', `The credits charged for “${key}” go back to the grants they came from (those expired or voided since are forfeited). The usage stays recorded.`, 'Refund')) {
            return;
        }
        button.disabled = true;
        try {
            const r = await api.post(`${base}/refunds`, { idempotencyKey: key });
            announce(`Refunded ${num(r.refunded)} ${r.currency}`);
            await reloadCredits();
        } catch (e) {
            button.disabled = false;
            window.alert(describe(e));
        }
    }

    const grantForm = grantCreditsForm(api, base, () => balances, reloadCredits);

    // the page shows at once; each section fills in as its answer arrives
    entitlements.load();
    balance.load().then(() => grantForm.fill());
    grants.load();
    ledger.load();

    const facts = h('dl', { class: 'facts' },
        h('dt', {}, 'Status'), h('dd', {}, statusBadge(customer.status)),
        h('dt', {}, 'Plan'), h('dd', {}, sub ? `${sub.plan} (version ${sub.planVersion})` : 'none'),
        sub && sub.addons && sub.addons.length ? [h('dt', {}, 'Add-ons'),
            h('dd', {}, sub.addons.map(a => `${a.key} ×${a.quantity ?? 1}`).join(', '))] : null,
        sub && sub.trial ? [h('dt', {}, 'Trial'), h('dd', {}, `${sub.trial.plan || sub.plan} until ${dateTime(sub.trial.endsAt)}`)] : null,
        sub ? [h('dt', {}, 'Since'), h('dd', {}, dateTime(sub.startAt))] : null,
        sub && sub.cancelAt ? [h('dt', {}, 'Cancels'), h('dd', {}, dateTime(sub.cancelAt))] : null,
        h('dt', {}, 'Customer since'), h('dd', {}, dateTime(customer.createdAt)),
        customer.timeZone ? [h('dt', {}, 'Time zone'), h('dd', {}, customer.timeZone)] : null,
        Object.keys(customer.metadata || {}).length ? [h('dt', {}, 'Metadata'), h('dd', {}, h('code', {}, JSON.stringify(customer.metadata)))] : null);

    return h('div', {},
        h('p', { class: 'crumbs' }, h('a', { href: '#/customers' }, 'Customers'), ' / ', id),
        h('div', { class: 'page-head' },
            h('h1', {}, customer.name || id, ' ', h('small', { class: 'mono' }, customer.name ? `(${id})` : '')),
            statusBadge(customer.status)),
        h('div', { class: 'grid' },
            h('section', { class: 'card', 'aria-labelledby': 'sub-title' }, h('h2', { id: 'sub-title' }, 'Subscription'), facts),
            balance.card),
        grantForm.card,
        entitlements.card,
        grants.card,
        ledger.card);
}

/** What a ledger line is about: the feature used (with its quantity and scope) or the grant. */
function detail(e) {
    if (e.feature) {
        const dims = e.dimensions ? Object.entries(e.dimensions).map(([k, v]) => `${k}=${v}`).join(', ') : '';
        return [`${e.feature} × ${num(e.quantity)}`, e.scope ? ` · ${e.scope}` : '', dims ? ` · ${dims}` : ''].join('');
    }
    return e.grantId ? h('code', {}, e.grantId) : '';
}

/** The form that grants credits; `fill()` offers the currencies once the balances are known. */
function grantCreditsForm(api, base, currencies, done) {
    const currency = h('select', { name: 'currency', required: true });
    const amount = h('input', { type: 'number', name: 'amount', min: '0', step: 'any', required: true, inputmode: 'decimal' });
    const category = select({ name: 'category' }, [['paid', 'paid'], ['promotional', 'promotional']], 'paid');
    const costBasis = h('input', { type: 'number', name: 'costBasis', min: '0', step: 'any', inputmode: 'decimal', value: '0' });
    const expires = h('input', { type: 'date', name: 'expiresAt' });
    const message = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Grant credits');
    let key = idempotencyKey('console-grant');
    category.addEventListener('change', () => {
        costBasis.disabled = category.value === 'promotional';
        if (costBasis.disabled) {
            costBasis.value = '0';
        }
    });
    const form = h('form', { novalidate: true },
        h('div', { class: 'form-grid' },
            field('Currency', currency),
            field('Amount', amount),
            field('Category', category),
            field('Cost basis', costBasis, 'Money paid per credit (0 for promotional).'),
            field('Expires on', expires, 'Optional; midnight UTC.')),
        h('div', { class: 'form-actions' }, submit, message));
    // one key per content: resending what failed (a lost answer) is applied once; anything changed is a new grant
    form.addEventListener('input', () => { key = idempotencyKey('console-grant'); });
    form.addEventListener('submit', async event => {
        event.preventDefault();
        if (!amount.value || Number(amount.value) <= 0) {
            amount.setAttribute('aria-invalid', 'true');
            mount(message, h('p', { class: 'form-error', role: 'alert' }, 'Enter an amount above 0.'));
            amount.focus();
            return;
        }
        amount.removeAttribute('aria-invalid');
        submit.disabled = true;
        const body = { currency: currency.value, amount: Number(amount.value), category: category.value, idempotencyKey: key };
        if (category.value === 'paid') {
            body.costBasis = Number(costBasis.value || 0);
        }
        if (expires.value) {
            body.expiresAt = `${expires.value}T00:00:00Z`;
        }
        try {
            const g = await api.post(`${base}/grants`, body);
            mount(message, h('p', { class: 'form-ok' }, `Granted ${num(g.amount)} ${g.currency} (grant ${g.id}).`));
            announce(`Granted ${num(g.amount)} ${g.currency}`);
            amount.value = '';
            key = idempotencyKey('console-grant');
            await done();
        } catch (e) {
            mount(message, h('p', { class: 'form-error', role: 'alert' }, describe(e)));
        } finally {
            submit.disabled = false;
        }
    });
    const card = h('section', { class: 'card', 'aria-labelledby': 'grant-title' },
        h('h2', { id: 'grant-title' }, 'Grant credits'), form);
    return {
        card,
        fill() {
            mount(currency, currencies().map(b => h('option', { value: b.currency }, b.currency)));
            submit.disabled = currencies().length === 0;
        },
    };
}
