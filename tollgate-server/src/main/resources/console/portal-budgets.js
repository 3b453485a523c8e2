// Budgets for the portal: the scope tree the token sees, each scope's budgets with used / held / remaining in their
// current window, and, as the link permits, a form to change a budget (`budgets`: everything; `alerts`: its alert
// thresholds only) or add one (`budgets`). The server decides: whatever it refuses (403) is shown with its reason.

import { describe, seg } from './api.js';
import { announce, field, h, mount, notice, select } from './dom.js';
import { dateTime, num } from './format.js';
import { csvButton } from './table.js';

const PERIODS = ['hour', 'day', 'week', 'month', 'year', 'never'];

/** Alert thresholds as the form shows them: fractions 0.5, 0.8 → '50, 80' (percent). */
function percents(alerts) {
    return (alerts || []).map(a => String(Math.round(Number(a) * 10000) / 100)).join(', ');
}

/** The thresholds typed ('50, 80, 100') as fractions, or an error message. */
function parsePercents(text) {
    const parts = text.split(/[\s,;]+/).filter(Boolean);
    const out = [];
    for (const p of parts) {
        const n = Number(p.replace('%', ''));
        if (!Number.isFinite(n) || n <= 0 || n > 1000) {
            return { error: `“${p}” is not a percentage above 0` };
        }
        out.push(Number((n / 100).toFixed(6)));
    }
    return { alerts: out };
}

function flatten(nodes, depth = 0, out = []) {
    for (const n of nodes) {
        out.push({ node: n, depth });
        flatten(n.children || [], depth + 1, out);
    }
    return out;
}

function what(b) {
    const dims = b.dimensions ? Object.entries(b.dimensions).map(([k, v]) => `${k}=${v}`).join(', ') : '';
    return `${b.currency ? `${b.currency}` : b.feature}${dims ? ` (${dims})` : ''}`;
}

function meter(b) {
    const limit = Number(b.limit);
    const used = Number(b.used);
    const held = Number(b.held);
    const share = v => (limit > 0 ? Math.min(100, (v / limit) * 100) : 0);
    const bar = h('div', {
        class: `meter${used >= limit ? ' over' : ''}`,
        role: 'meter',
        'aria-valuemin': '0',
        'aria-valuemax': String(limit),
        'aria-valuenow': String(Math.min(used + held, limit)),
        'aria-label': `${b.key}: ${num(b.used)} used and ${num(b.held)} held of ${num(b.limit)}`,
    }, h('span', { class: 'used' }), h('span', { class: 'held' }));
    bar.children[0].style.width = `${share(used)}%`;
    bar.children[1].style.width = `${Math.max(0, share(used + held) - share(used))}%`;
    return bar;
}

export async function budgetsView(ctx) {
    const { api, base, session, may } = ctx;
    const tree = await api.get(`${base}/scopes`);
    const scopes = flatten(tree.scopes);
    // what a budget may count: what budgets count already, and the currencies and features of the usage seen
    const known = new Set();
    scopes.forEach(({ node }) => node.budgets.forEach(b => known.add(b.currency ? `currency:${b.currency}` : `feature:${b.feature}`)));
    if (may('budgets')) {
        const usage = await api.get(`${base}/usage`, { groupBy: 'feature' });
        for (const r of usage.rows) {
            Object.keys(r.credits || {}).forEach(c => known.add(`currency:${c}`));
            if (r.feature) {
                known.add(`feature:${r.feature}`);
            }
        }
    }
    const canChange = may('budgets') || may('alerts');
    const status = h('div', { 'aria-live': 'polite' });

    function budgetBlock(scope, b) {
        const title = `${b.key} of ${scope.name || scope.id}`;
        const edit = canChange ? h('button', {
            type: 'button', class: 'small', 'aria-label': `Change budget ${title}`, 'aria-expanded': 'false',
        }, 'Change') : null;
        const holder = h('div');
        const block = h('div', { class: 'budget', dataset: { budget: `${scope.id}/${b.key}` } },
            h('h4', {}, h('span', {}, b.key), h('span', { class: 'badge' }, `${what(b)} · per ${b.period}`),
                h('span', { class: `badge ${b.enforcement === 'hard' ? 'bad' : 'warn'}` }, b.enforcement), edit),
            meter(b),
            h('div', { class: 'legend-row' },
                h('span', {}, h('span', { class: 'swatch swatch-used' }), 'Used ', h('b', { dataset: { field: 'used' } }, num(b.used))),
                h('span', {}, h('span', { class: 'swatch swatch-held' }), 'Held ', h('b', { dataset: { field: 'held' } }, num(b.held))),
                h('span', {}, 'Remaining ', h('b', { dataset: { field: 'remaining' } }, num(b.remaining))),
                h('span', {}, 'Limit ', h('b', { dataset: { field: 'limit' } }, num(b.limit))),
                h('span', {}, 'Alerts at ', h('b', { dataset: { field: 'alerts' } },
                    b.alerts && b.alerts.length ? `${percents(b.alerts).split(', ').join(' %, ')} %` : 'none')),
                b.resetsAt ? h('span', {}, 'Resets ', h('b', {}, dateTime(b.resetsAt))) : null),
            holder);
        if (edit) {
            edit.addEventListener('click', () => {
                const open = edit.getAttribute('aria-expanded') === 'true';
                edit.setAttribute('aria-expanded', String(!open));
                mount(holder, open ? [] : budgetForm(scope, b, () => {
                    edit.setAttribute('aria-expanded', 'false');
                    mount(holder);
                    edit.focus();
                }));
                if (!open) {
                    holder.querySelector('input:not([disabled]), select:not([disabled])').focus();
                }
            });
        }
        return block;
    }

    /** The form of a budget: `b` to change one, null to add one to `scope`. */
    function budgetForm(scope, b, close) {
        const full = may('budgets');
        const key = h('input', { name: 'budgetKey', autocomplete: 'off', required: true, value: b ? b.key : '', disabled: Boolean(b) });
        const counts = select({ name: 'counts', disabled: !full || Boolean(b) },
            [...known].sort().map(v => [v, v.startsWith('currency:') ? `${v.slice(9)} (credits)` : `${v.slice(8)} (units)`]),
            b ? (b.currency ? `currency:${b.currency}` : `feature:${b.feature}`) : null);
        const limit = h('input', { type: 'number', name: 'limit', min: '0', step: 'any', inputmode: 'decimal', required: true,
            value: b ? String(b.limit) : '', disabled: !full });
        const period = select({ name: 'period', disabled: !full }, PERIODS, b ? b.period : 'month');
        const enforcement = select({ name: 'enforcement', disabled: !full },
            [['hard', 'hard'], ['soft', 'soft']], b ? b.enforcement : 'hard');
        const alerts = h('input', { name: 'alerts', autocomplete: 'off', value: b ? percents(b.alerts) : '50, 80, 100' });
        const message = h('div', { 'aria-live': 'polite' });
        const save = h('button', { type: 'submit', class: 'primary' }, b ? 'Save budget' : 'Add budget');
        const cancel = h('button', { type: 'button', onclick: close }, 'Cancel');
        const form = h('form', { novalidate: true, class: 'budget-form' },
            !full ? notice('info', 'This link may change alert thresholds only.') : null,
            h('div', { class: 'form-grid' },
                field('Budget key', key, b ? null : 'Letters, digits, - and _.'),
                field('Counts', counts),
                field('Limit', limit),
                field('Period', period, 'Calendar windows in your time zone.'),
                field('Enforcement', enforcement, 'Hard refuses use past the limit; soft allows it.'),
                field('Alert at (% of the limit)', alerts, 'Comma-separated, e.g. 50, 80, 100.')),
            h('div', { class: 'form-actions' }, save, cancel, message));
        form.addEventListener('submit', async event => {
            event.preventDefault();
            const parsed = parsePercents(alerts.value);
            const error = (control, text) => {
                control.setAttribute('aria-invalid', 'true');
                mount(message, h('p', { class: 'form-error', role: 'alert' }, text));
                control.focus();
            };
            if (parsed.error) {
                return error(alerts, parsed.error);
            }
            if (!key.value.trim()) {
                return error(key, 'Enter a key for the budget.');
            }
            if (limit.value === '' || Number(limit.value) < 0) {
                return error(limit, 'Enter a limit of 0 or more.');
            }
            const body = {};
            const [kind, name] = [counts.value.split(':')[0], counts.value.slice(counts.value.indexOf(':') + 1)];
            body[kind] = name;
            body.limit = Number(limit.value);
            body.period = period.value;
            body.enforcement = enforcement.value;
            body.alerts = parsed.alerts;
            if (b && b.dimensions) {
                body.dimensions = b.dimensions;
            }
            save.disabled = true;
            const budgetKey = key.value.trim();
            try {
                await api.put(`${base}/scopes/${seg(scope.id)}/budgets/${seg(budgetKey)}`, body);
                announce(`Budget ${budgetKey} of ${scope.name || scope.id} saved`);
                await reload(`Budget ${budgetKey} of ${scope.name || scope.id} saved.`);
            } catch (e) {
                save.disabled = false;
                const refused = e.status === 403 ? 'Not allowed: ' : '';
                mount(message, h('p', { class: 'form-error', role: 'alert', dataset: { code: e.code || '' } },
                    `${refused}${describe(e)}`, e.code ? ` [${e.code}]` : ''));
            }
        });
        return form;
    }

    const body = h('div');
    async function reload(done) {
        const fresh = await api.get(`${base}/scopes`);
        scopes.splice(0, scopes.length, ...flatten(fresh.scopes));
        render();
        if (done) {
            mount(status, h('p', { class: 'form-ok' }, done));
        }
    }

    function render() {
        const nodeOf = ({ node, depth }) => {
            const add = may('budgets') ? h('button', {
                type: 'button', class: 'small', 'aria-label': `Add a budget to ${node.name || node.id}`, 'aria-expanded': 'false',
            }, 'Add budget') : null;
            const holder = h('div');
            if (add) {
                add.addEventListener('click', () => {
                    const open = add.getAttribute('aria-expanded') === 'true';
                    add.setAttribute('aria-expanded', String(!open));
                    mount(holder, open ? [] : budgetForm(node, null, () => {
                        add.setAttribute('aria-expanded', 'false');
                        mount(holder);
                        add.focus();
                    }));
                    if (!open) {
                        holder.querySelector('input:not([disabled])').focus();
                    }
                });
            }
            return h('li', { class: 'scope-node', dataset: { scope: node.id, depth: String(depth) } },
                h('h3', {}, node.name || node.id, ' ', h('span', { class: 'badge' }, node.kind || 'scope'),
                    node.name ? h('small', { class: 'mono muted' }, ` ${node.id}`) : null, ' ', add),
                node.budgets.length ? node.budgets.map(b => budgetBlock(node, b)) : h('p', { class: 'muted' }, 'No budget.'),
                holder);
        };
        const build = nodes => h('ul', { class: 'scope-tree' }, nodes.map(n => {
            const item = nodeOf({ node: n, depth: 0 });
            if (n.children && n.children.length) {
                item.appendChild(build(n.children));
            }
            return item;
        }));
        mount(body, scopes.length ? build(scopes.filter(s => s.depth === 0).map(s => s.node))
            : h('p', { class: 'empty' }, 'Your organisation has no scope yet.'));
    }
    render();

    const rows = () => scopes.flatMap(({ node }) => node.budgets.map(b => ({ scope: node.id, name: node.name || '', ...b })));
    const columns = ['scope', 'name', 'key', 'currency', 'feature', 'limit', 'used', 'held', 'remaining', 'period',
        'enforcement', 'alerts', 'resetsAt'].map(k => ({ key: k, label: k }));
    const rights = may('budgets') ? 'You may add and change budgets and their alert thresholds.'
        : may('alerts') ? 'You may change the alert thresholds of budgets.'
            : 'This link shows budgets; it may not change them.';
    return h('div', {},
        h('div', { class: 'page-head' }, h('h1', {}, 'Budgets'),
            h('p', {}, session.scope ? `Budgets of ${session.scope} and the scopes below it.` : 'Budgets of every scope of your organisation.')),
        h('section', { class: 'card', 'aria-labelledby': 'budgets-title' },
            h('header', {}, h('h2', { id: 'budgets-title' }, 'Used, held and remaining in the current window'),
                csvButton(`budgets-${session.customerId}.csv`, columns, rows)),
            h('p', { class: 'muted', id: 'budget-rights' }, rights, ' Held is what running sessions have set aside.'),
            status, body));
}
