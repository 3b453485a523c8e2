// The portal a customer's admin opens from a portal link (/portal#token=...): the token is taken from the fragment
// (which browsers never send to a server), removed from the address bar at once, and kept in this tab's
// sessionStorage only. GET /v1/portal/session says whose organisation it is, from which scope down, and what the
// link permits; every view shows that customer only (the server refuses anything else).

import { apiClient, describe, seg } from './api.js';
import { announce, h, mount, notice } from './dom.js';
import { dateTime } from './format.js';
import { markCurrent, startRouter } from './router.js';
import { usageView } from './portal-usage.js';
import { budgetsView } from './portal-budgets.js';
import { alertLogView, creditsView, sessionsView } from './portal-views.js';

const TOKEN = 'tollgate.portalToken';
const main = document.getElementById('main');

let stopRouter = null;

/** The token of the link just opened (then out of the address bar), or the one this tab kept. */
function takeToken() {
    const match = /^#token=([^&]+)/.exec(window.location.hash);
    if (match) {
        sessionStorage.setItem(TOKEN, decodeURIComponent(match[1]));
        history.replaceState(null, '', `${window.location.pathname}#/usage`);
    }
    return sessionStorage.getItem(TOKEN);
}

function ended(title, text) {
    sessionStorage.removeItem(TOKEN);
    if (stopRouter) {
        stopRouter();
        stopRouter = null;
    }
    document.getElementById('nav').hidden = true;
    document.getElementById('who').hidden = true;
    history.replaceState(null, '', window.location.pathname);
    mount(main, h('section', { class: 'signin', 'aria-labelledby': 'ended-title' },
        h('div', { class: 'card' }, h('h1', { id: 'ended-title' }, title), h('p', {}, text))));
    main.querySelector('h1').setAttribute('tabindex', '-1');
    main.querySelector('h1').focus();
}

async function start(token) {
    const api = apiClient(token, () => ended('This link has expired',
        'Portal links last a limited time and can be revoked. Ask your provider for a new link.'));
    let session;
    try {
        session = await api.get('/v1/portal/session');
    } catch (e) {
        if (e.status !== 401) {
            mount(main, h('div', {}, h('h1', {}, 'The portal cannot open'), notice('error', describe(e))));
        }
        return;
    }
    const permissions = session.permissions || [];
    const ctx = {
        api,
        session,
        base: `/v1/customers/${seg(session.customerId)}`,
        may: permission => permissions.includes(permission),
    };
    document.getElementById('org').textContent = session.customerName || session.customerId;
    document.getElementById('org-scope').textContent = session.scope ? `scope ${session.scope}` : '';
    document.getElementById('expiry').textContent = `Link valid until ${dateTime(session.expiresAt)}`;
    document.getElementById('nav-credits').hidden = Boolean(session.scope);
    document.getElementById('nav').hidden = false;
    document.getElementById('who').hidden = false;
    document.title = `${session.customerName || session.customerId}: usage and budgets`;
    const routes = [
        ['usage', () => usageView(ctx)],
        ['budgets', () => budgetsView(ctx)],
        ['alerts', () => alertLogView(ctx)],
        ['sessions', () => sessionsView(ctx)],
    ];
    if (!session.scope) {
        routes.push(['credits', () => creditsView(ctx)]);
    }
    if (!window.location.hash || window.location.hash === '#') {
        history.replaceState(null, '', `${window.location.pathname}#/usage`);
    }
    stopRouter = startRouter(main, routes, '#/usage', section => markCurrent(document.getElementById('nav'), section));
}

document.getElementById('sign-out').addEventListener('click', async () => {
    const token = sessionStorage.getItem(TOKEN);
    if (token) {
        try {
            await apiClient(token).delete('/v1/portal/session');
        } catch (e) {
            announce(describe(e));
        }
    }
    ended('Signed out', 'This link no longer opens the portal. Ask your provider for a new link.');
});

// another portal link opened in this tab (only its fragment differs, so the page is not loaded again): start over
window.addEventListener('hashchange', () => {
    if (/^#token=/.test(window.location.hash)) {
        takeToken();
        window.location.reload();
    }
});

const token = takeToken();
if (token) {
    start(token);
} else {
    ended('This page needs a portal link',
        'Open the portal from the link your provider gave you; it carries the access to your organisation.');
}
