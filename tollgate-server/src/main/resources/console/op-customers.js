// Customers: every customer, a page at a time, with a search by id or name and a filter by plan.

import { ApiError, describe, seg } from './api.js';
import { announce, field, h, mount, notice, select } from './dom.js';
import { date } from './format.js';
import { hashOf } from './router.js';
import { table } from './table.js';

const PAGE = 200;

/** A customer's status as a badge. */
export function statusBadge(status) {
    const kind = { active: 'ok', trialing: 'ok', canceled: 'bad', cancelled: 'bad', none: '' }[status] ?? 'warn';
    return h('span', { class: `badge ${kind}` }, status || 'none');
}

export async function customersView(api) {
    const [catalog, first] = await Promise.all([
        api.get('/v1/catalog').catch(() => null),
        api.get('/v1/customers', { limit: PAGE }),
    ]);
    let loaded = first.customers;
    let next = first.nextCursor;
    let plan = '';

    const plans = catalog && catalog.document && catalog.document.plans ? catalog.document.plans.map(p => p.key) : [];
    const query = h('input', { type: 'search', name: 'q', autocomplete: 'off', placeholder: 'acme or Acme Corp' });
    const planFilter = select({ name: 'plan' }, [['', 'Every plan'], ...plans], '');
    const result = h('div', { 'aria-live': 'polite' });
    const more = h('button', { type: 'button' }, 'Load more');
    const message = h('div');

    function matches(c) {
        const q = query.value.trim().toLowerCase();
        return !q || c.id.toLowerCase().includes(q) || (c.name || '').toLowerCase().includes(q);
    }

    function draw() {
        const rows = loaded.filter(matches);
        mount(result,
            h('p', { class: 'muted' }, `${rows.length} of ${loaded.length} loaded customer(s)${next ? ', more to load' : ''}`),
            table({
                caption: 'Customers',
                stack: false,
                empty: 'No customer matches.',
                rows,
                columns: [
                    { key: 'id', label: 'Customer', rowHeader: true,
                        render: c => h('a', { href: hashOf('customers', c.id) }, c.id) },
                    { key: 'name', label: 'Name' },
                    { key: 'plan', label: 'Plan', render: c => (c.subscription ? `${c.subscription.plan} v${c.subscription.planVersion}` : '—') },
                    { key: 'status', label: 'Status', render: c => statusBadge(c.status) },
                    { key: 'createdAt', label: 'Created', opt: true, render: c => date(c.createdAt) },
                ],
            }));
        more.hidden = !next;
    }

    async function reload() {
        const page = await api.get('/v1/customers', { limit: PAGE, plan });
        loaded = page.customers;
        next = page.nextCursor;
        draw();
    }

    more.addEventListener('click', async () => {
        more.disabled = true;
        try {
            const page = await api.get('/v1/customers', { limit: PAGE, plan, cursor: next });
            loaded = loaded.concat(page.customers);
            next = page.nextCursor;
            draw();
            announce(`${page.customers.length} more customers loaded`);
        } catch (e) {
            mount(message, notice('error', describe(e)));
        } finally {
            more.disabled = false;
        }
    });
    query.addEventListener('input', draw);
    planFilter.addEventListener('change', async () => {
        plan = planFilter.value;
        await reload().catch(e => mount(message, notice('error', describe(e))));
    });
    const form = h('form', { class: 'inline', role: 'search' },
        field('Find a customer', query, 'Type to filter by id or name; Enter opens the customer with exactly this id.'),
        field('Plan', planFilter),
        h('button', { type: 'submit', class: 'primary' }, 'Open'));
    form.addEventListener('submit', async event => {
        event.preventDefault();
        const id = query.value.trim();
        if (!id) {
            return;
        }
        try {
            await api.get(`/v1/customers/${seg(id)}`);
            window.location.hash = hashOf('customers', id);
        } catch (e) {
            mount(message, e instanceof ApiError && e.status === 404
                ? notice('info', `No customer has the id “${id}”. The list shows the loaded customers whose id or name contains it.`)
                : notice('error', describe(e)));
        }
    });
    draw();
    // for measuring (docs/console.md, "How fast"): the list on the page (the router mounts it before the next frame)
    window.requestAnimationFrame(() => result.isConnected && performance.mark('tollgate:customers-shown'));
    return h('div', {},
        h('div', { class: 'page-head' }, h('h1', {}, 'Customers')),
        h('div', { class: 'card' }, form),
        message,
        result,
        h('p', {}, more));
}
