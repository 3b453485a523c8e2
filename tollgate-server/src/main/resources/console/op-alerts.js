// Alerts raised (newest first), with where each delivery to a webhook stands, and the webhooks.

import { describe } from './api.js';
import { field, h, mount, notice } from './dom.js';
import { dateTime } from './format.js';
import { hashOf } from './router.js';
import { csvButton, table } from './table.js';

/** An alert's details in one line: its threshold, budget or balance figures. */
export function alertDetail(a) {
    const d = a.data || {};
    const parts = [];
    for (const name of ['feature', 'scope', 'budget', 'currency', 'threshold', 'used', 'limit', 'available', 'amount']) {
        if (d[name] !== undefined && d[name] !== null) {
            parts.push(`${name} ${name === 'threshold' ? `${Math.round(Number(d[name]) * 100)} %` : d[name]}`);
        }
    }
    return parts.join(' · ');
}

function deliveryBadges(a) {
    if (!a.deliveries || !a.deliveries.length) {
        return h('span', { class: 'muted' }, 'no webhook');
    }
    return a.deliveries.map(d => h('span', {
        class: `badge ${d.status === 'delivered' ? 'ok' : d.status === 'pending' ? 'warn' : ''}`,
        title: `webhook ${d.webhookId}: ${d.status}`,
    }, `${d.webhookId}: ${d.status}`));
}

export async function alertsView(api) {
    const customer = h('input', { type: 'search', name: 'customerId', autocomplete: 'off' });
    const result = h('div', { 'aria-live': 'polite' });
    let rows = [];
    const columns = [
        { key: 'at', label: 'Raised', nowrap: true, render: a => dateTime(a.at), csv: a => a.at },
        { key: 'customerId', label: 'Customer', render: a => h('a', { href: hashOf('customers', a.customerId) }, a.customerId) },
        { key: 'type', label: 'Type', render: a => h('span', { class: 'badge' }, a.type) },
        { key: 'detail', label: 'Detail', render: alertDetail, csv: a => a.data },
        { key: 'deliveries', label: 'Deliveries', render: deliveryBadges,
            csv: a => (a.deliveries || []).map(d => `${d.webhookId}:${d.status}`).join(' ') },
    ];
    async function load() {
        try {
            const data = await api.get('/v1/events/log', { customerId: customer.value.trim(), limit: 500 });
            rows = data.events;
            mount(result, table({ caption: 'Alerts, newest first', columns, rows, empty: 'No alert has been raised.' }));
        } catch (e) {
            mount(result, notice('error', describe(e)));
        }
    }
    const form = h('form', { class: 'inline', role: 'search' },
        field('Customer', customer, 'Empty for every customer.'), h('button', { type: 'submit', class: 'primary' }, 'Show'));
    form.addEventListener('submit', event => { event.preventDefault(); load(); });
    await load();
    return h('div', {},
        h('div', { class: 'page-head' }, h('h1', {}, 'Alerts'),
            h('p', {}, 'Thresholds of limits and budgets, low and depleted balances, recharges and expiries.')),
        h('div', { class: 'card' }, form),
        h('div', { class: 'table-actions' }, h('span'), csvButton('alerts.csv', columns, () => rows)),
        result);
}

export async function webhooksView(api) {
    const data = await api.get('/v1/webhooks', { limit: 1000 });
    const columns = [
        { key: 'id', label: 'Webhook', rowHeader: true, render: w => h('code', {}, w.id) },
        { key: 'url', label: 'URL', render: w => h('code', {}, w.url) },
        { key: 'events', label: 'Alerts', render: w => (w.events || []).join(', ') },
    ];
    return h('div', {},
        h('div', { class: 'page-head' }, h('h1', {}, 'Webhooks'),
            h('p', {}, 'Where alerts are delivered, signed with each webhook’s secret (never shown). See each alert’s deliveries under Alerts.')),
        h('section', { class: 'card', 'aria-labelledby': 'wh-title' },
            h('header', {}, h('h2', { id: 'wh-title' }, `${data.webhooks.length} webhook(s)`), csvButton('webhooks.csv', columns, () => data.webhooks)),
            table({ caption: 'Webhooks', columns, rows: data.webhooks, empty: 'No webhook: set one with PUT /v1/webhooks/{id}.' })));
}
