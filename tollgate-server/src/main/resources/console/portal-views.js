// The portal's read-only views: the alert log with where each webhook delivery stands, the sessions running now,
// and (for a link without a scope) balances and grants. Each table has its CSV.

import { dateTime, num } from './format.js';
import { h } from './dom.js';
import { alertDetail } from './op-alerts.js';
import { csvButton, table } from './table.js';

function page(title, text, ...cards) {
    return h('div', {}, h('div', { class: 'page-head' }, h('h1', {}, title), h('p', {}, text)), ...cards);
}

function card(id, title, actions, content) {
    return h('section', { class: 'card', 'aria-labelledby': id },
        h('header', {}, h('h2', { id }, title), actions), content);
}

function deliveries(a) {
    if (!a.deliveries || !a.deliveries.length) {
        return h('span', { class: 'muted' }, 'no webhook');
    }
    return a.deliveries.map(d => h('span', {
        class: `badge ${d.status === 'delivered' ? 'ok' : d.status === 'pending' ? 'warn' : ''}`,
    }, `${d.webhookId}: ${d.status}`));
}

export async function alertLogView(ctx) {
    const { api, session } = ctx;
    const data = await api.get('/v1/events/log', { customerId: session.customerId, limit: 500 });
    const columns = [
        { key: 'at', label: 'Raised', nowrap: true, render: a => dateTime(a.at), csv: a => a.at },
        { key: 'type', label: 'Alert', render: a => h('span', { class: 'badge' }, a.type) },
        { key: 'detail', label: 'Detail', render: alertDetail, csv: a => a.data },
        { key: 'deliveries', label: 'Webhook deliveries', render: deliveries,
            csv: a => (a.deliveries || []).map(d => `${d.webhookId}:${d.status}`).join(' ') },
    ];
    return page('Alerts', session.scope
        ? `Budget thresholds crossed in ${session.scope} and below, newest first.`
        : 'Thresholds crossed, low balances and recharges, newest first, and where each was delivered.',
    card('alerts-title', `${data.events.length} alert(s)`,
        csvButton(`alerts-${session.customerId}.csv`, columns, () => data.events),
        table({ caption: 'Alerts, newest first', columns, rows: data.events, empty: 'No alert has been raised.' })));
}

export async function sessionsView(ctx) {
    const { api, base, session } = ctx;
    const data = await api.get(`${base}/sessions`);
    const columns = [
        { key: 'sessionId', label: 'Session', rowHeader: true, render: s => h('code', {}, s.sessionId) },
        { key: 'scope', label: 'Scope', render: s => s.scope || '—' },
        { key: 'amount', label: 'Reserved', num: true, render: s => `${num(s.amount)} ${s.currency || s.feature}`, csv: s => s.amount },
        { key: 'consumed', label: 'Consumed', num: true, render: s => num(s.consumed) },
        { key: 'held', label: 'Still held', num: true, render: s => num(s.held) },
        { key: 'openedAt', label: 'Opened', nowrap: true, render: s => dateTime(s.openedAt), csv: s => s.openedAt },
        { key: 'expiresAt', label: 'Expires', nowrap: true, opt: true, render: s => dateTime(s.expiresAt), csv: s => s.expiresAt },
    ];
    return page('Running now', 'Sessions open at this moment (an agent run, a long job): what each holds and has used.',
        card('sessions-title', `${data.sessions.length} running session(s)`,
            csvButton(`sessions-${session.customerId}.csv`, columns, () => data.sessions),
            table({ caption: 'Running sessions', columns, rows: data.sessions, empty: 'Nothing is running now.' })));
}

export async function creditsView(ctx) {
    const { api, base, session } = ctx;
    const [balance, grants] = await Promise.all([api.get(`${base}/balance`), api.get(`${base}/grants`)]);
    const balanceColumns = [
        { key: 'currency', label: 'Currency', rowHeader: true },
        { key: 'available', label: 'Available', num: true, render: b => h('span', { dataset: { balance: b.currency } }, num(b.available)) },
        { key: 'held', label: 'Held', num: true, render: b => num(b.held) },
        { key: 'overdraft', label: 'Overdraft', num: true, render: b => num(b.overdraft) },
    ];
    const grantColumns = [
        { key: 'id', label: 'Grant', rowHeader: true, render: g => (g.source === 'allotment' ? 'plan allotment' : h('code', {}, g.id)) },
        { key: 'category', label: 'Category' },
        { key: 'amount', label: 'Amount', num: true, render: g => `${num(g.amount)} ${g.currency}`, csv: g => g.amount },
        { key: 'remaining', label: 'Remaining', num: true, render: g => num(g.remaining) },
        { key: 'status', label: 'Status', render: g => h('span', { class: `badge ${g.status === 'active' ? 'ok' : ''}` }, g.status) },
        { key: 'expiresAt', label: 'Expires', opt: true, render: g => dateTime(g.expiresAt), csv: g => g.expiresAt },
    ];
    return page('Credits', 'Your balances and the grants they come from.',
        card('balances-title', 'Balances', csvButton(`balances-${session.customerId}.csv`, balanceColumns, () => balance.balances),
            table({ caption: 'Balances', columns: balanceColumns, rows: balance.balances, empty: 'No currency.' })),
        card('grants-title', 'Grants', csvButton(`grants-${session.customerId}.csv`, grantColumns, () => grants.grants),
            table({ caption: 'Grants', columns: grantColumns, rows: grants.grants, empty: 'No grant yet.' })));
}
