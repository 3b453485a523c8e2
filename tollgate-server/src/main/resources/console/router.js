// Views by the address's fragment (#/customers/acme): each segment percent-encoded, so any id fits in one.

import { describe } from './api.js';
import { focusHeading, h, mount, notice } from './dom.js';

/** The fragment for path segments: hashOf('customers', 'a/b') is '#/customers/a%2Fb'. */
export function hashOf(...segments) {
    return `#/${segments.map(s => encodeURIComponent(s)).join('/')}`;
}

function segmentsOf(hash) {
    const path = hash.replace(/^#\/?/, '').split('?')[0];
    return path ? path.split('/').map(s => decodeURIComponent(s)) : [];
}

/**
 * Renders the view of the current fragment in `main`, and again whenever it changes. routes: [[pattern, view]] with
 * patterns like 'customers/:id' (the first that matches wins; '' is the home view). A view is
 * `async (params, ctx) => node`; while it loads, the previous view stays; a view whose fragment changed meanwhile is
 * dropped. `onView(section)` is told the first segment (to mark the navigation). Returns `stop()`, which ends it.
 */
export function startRouter(main, routes, fallback, onView) {
    let generation = 0;
    async function render() {
        const mine = ++generation;
        const segments = segmentsOf(window.location.hash);
        let found = null;
        for (const [pattern, view] of routes) {
            const parts = pattern ? pattern.split('/') : [];
            if (parts.length !== segments.length) {
                continue;
            }
            const params = {};
            if (parts.every((p, i) => (p.startsWith(':') ? (params[p.slice(1)] = segments[i], true) : p === segments[i]))) {
                found = { view, params };
                break;
            }
        }
        if (!found) {
            window.location.replace(fallback);
            return;
        }
        onView(segments[0] || '');
        main.setAttribute('aria-busy', 'true');
        let node;
        try {
            node = await found.view(found.params, { isCurrent: () => mine === generation, refresh: render });
        } catch (e) {
            node = h('div', {}, h('h1', {}, 'Something went wrong'), notice('error', describe(e)));
        }
        if (mine !== generation) {
            return;
        }
        main.removeAttribute('aria-busy');
        mount(main, node);
        focusHeading(main);
        // for measuring: the time from navigation to a view on screen (docs/console.md, "How fast")
        performance.mark('tollgate:view');
    }
    window.addEventListener('hashchange', render);
    render();
    return () => {
        generation += 1;
        window.removeEventListener('hashchange', render);
    };
}

/** Marks the link of `nav` whose data-section is `section` as the current page (aria-current), and no other. */
export function markCurrent(nav, section) {
    for (const link of nav.querySelectorAll('a[data-section]')) {
        if (link.dataset.section === section) {
            link.setAttribute('aria-current', 'page');
        } else {
            link.removeAttribute('aria-current');
        }
    }
}
