// The operator console: sign-in with a secret key (kept in this tab's sessionStorage only), then customers, the
// catalog, alerts and webhooks.

import { apiClient, describe } from './api.js';
import { announce, field, h, mount } from './dom.js';
import { markCurrent, startRouter } from './router.js';
import { customersView } from './op-customers.js';
import { customerView } from './op-customer.js';
import { catalogView, versionView } from './op-catalog.js';
import { alertsView, webhooksView } from './op-alerts.js';

const KEY = 'tollgate.secretKey';
const main = document.getElementById('main');

let stopRouter = null;

function signOut(reason) {
    sessionStorage.removeItem(KEY);
    if (stopRouter) {
        stopRouter();
        stopRouter = null;
    }
    history.replaceState(null, '', window.location.pathname);
    showSignIn(reason);
}

function showSignIn(reason) {
    document.getElementById('nav').hidden = true;
    document.getElementById('who').hidden = true;
    const input = h('input', {
        type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true,
    });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: !reason }, reason || '');
    const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const form = h('form', { novalidate: true }, field('Secret API key', input,
        'The server prints it at its first start and keeps it in data/api-key (or TOLLGATE_API_KEY).'),
    button, error);
    form.addEventListener('submit', async event => {
        event.preventDefault();
        const key = input.value.trim();
        if (!key) {
            input.setAttribute('aria-invalid', 'true');
            error.hidden = false;
            error.textContent = 'Enter the secret API key.';
            input.focus();
            return;
        }
        button.disabled = true;
        try {
            await apiClient(key).get('/v1/customers', { limit: 1 });
            sessionStorage.setItem(KEY, key);
            announce('Signed in');
            start(key);
        } catch (e) {
            input.setAttribute('aria-invalid', 'true');
            error.hidden = false;
            error.textContent = e.status === 401 ? 'That key is not valid on this server.' : describe(e);
            input.focus();
        } finally {
            button.disabled = false;
        }
    });
    mount(main, h('section', { class: 'signin', 'aria-labelledby': 'signin-title' },
        h('div', { class: 'card' },
            h('h1', { id: 'signin-title' }, 'Sign in to the console'),
            h('p', {}, 'Operators sign in with a secret API key. It stays in this browser tab only and is sent with ' +
                'each request; closing the tab forgets it.'),
            form)));
    input.focus();
    // for measuring (docs/console.md, "How fast"): the first view of a fresh page, the sign-in form on screen
    if (!performance.getEntriesByName('tollgate:first-view').length) {
        performance.mark('tollgate:first-view');
    }
}

function start(key) {
    const api = apiClient(key, () => signOut('The key is no longer accepted. Sign in again.'));
    document.getElementById('nav').hidden = false;
    document.getElementById('who').hidden = false;
    document.getElementById('key-hint').textContent = `Key …${key.slice(-4)}`;
    const routes = [
        ['customers', () => customersView(api)],
        ['customers/:id', params => customerView(api, params.id)],
        ['catalog', () => catalogView(api)],
        ['catalog/versions/:n', params => versionView(api, params.n)],
        ['alerts', () => alertsView(api)],
        ['webhooks', () => webhooksView(api)],
    ];
    if (!window.location.hash || window.location.hash === '#') {
        window.location.replace('#/customers');
    }
    stopRouter = startRouter(main, routes, '#/customers', section => markCurrent(document.getElementById('nav'), section));
}

document.getElementById('sign-out').addEventListener('click', () => signOut(null));
const saved = sessionStorage.getItem(KEY);
if (saved) {
    start(saved);
} else {
    showSignIn(null);
}
