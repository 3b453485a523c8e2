// <tollgate-usage-meter>: an example of what a product's frontend builds on TollgateClient, a meter of one metered
// feature's usage for the signed-in customer ("120 of 1,000 ai-queries used this month").
//
//   <script type="module" src="/js/usage-meter.js"></script>
//   <tollgate-usage-meter base-url="https://tollgate.example.com" publishable-key="tg_pk_..."
//       customer="acme" customer-token="<from your backend>" feature="ai-queries" label="AI queries">
//   </tollgate-usage-meter>
//
// Or set `element.client = new TollgateClient({...})` instead of the four connection attributes. `refresh()` reads
// again. It fires `tollgate-usage` (detail: the entitlement) when read and `tollgate-error` (detail: the error) when
// not. Renders in a shadow root with no inline style attribute, so a strict Content-Security-Policy is fine; style it
// from outside with ::part(bar), ::part(fill), ::part(label).

import { TollgateClient } from './tollgate.js';

const CSS = `
:host { display: block; font: inherit; }
[part=label] { display: flex; justify-content: space-between; gap: 1em; font-size: .95em; margin-bottom: .3em; }
[part=bar] { height: .6em; border-radius: 999px; background: #e5e9f0; overflow: hidden; }
[part=fill] { height: 100%; width: 0; background: #2f46b5; transition: width .3s; }
:host([state=over]) [part=fill] { background: #b42318; }
:host([state=error]) [part=label] { color: #b42318; }
`;

const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** The usage meter element; see the top of this file. */
export class TollgateUsageMeter extends HTMLElement {
    static get observedAttributes() {
        return ['base-url', 'publishable-key', 'customer', 'customer-token', 'feature', 'label'];
    }

    constructor() {
        super();
        const root = this.attachShadow({ mode: 'open' });
        if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(CSS);
            root.adoptedStyleSheets = [sheet];
        }
        this.labelEl = document.createElement('div');
        this.labelEl.setAttribute('part', 'label');
        this.nameEl = document.createElement('span');
        this.figuresEl = document.createElement('span');
        this.labelEl.append(this.nameEl, this.figuresEl);
        this.barEl = document.createElement('div');
        this.barEl.setAttribute('part', 'bar');
        this.barEl.setAttribute('role', 'meter');
        this.barEl.setAttribute('aria-valuemin', '0');
        this.fillEl = document.createElement('div');
        this.fillEl.setAttribute('part', 'fill');
        this.barEl.append(this.fillEl);
        root.append(this.labelEl, this.barEl);
        this._client = null;
        this._pending = false;
    }

    /** The TollgateClient it reads with; by default one made from the element's attributes. */
    get client() {
        return this._client || new TollgateClient({
            baseUrl: this.getAttribute('base-url') || window.location.origin,
            publishableKey: this.getAttribute('publishable-key') || '',
            customerId: this.getAttribute('customer') || '',
            customerToken: this.getAttribute('customer-token') || '',
        });
    }

    set client(value) {
        this._client = value;
        this.schedule();
    }

    connectedCallback() {
        this.schedule();
    }

    attributeChangedCallback() {
        this.schedule();
    }

    /** One read for any number of attribute changes made together. */
    schedule() {
        if (this._pending || !this.isConnected) {
            return;
        }
        this._pending = true;
        queueMicrotask(() => {
            this._pending = false;
            this.refresh();
        });
    }

    /** Reads the feature's usage again and draws it; resolves when drawn. */
    async refresh() {
        const feature = this.getAttribute('feature');
        const name = this.getAttribute('label') || feature || '';
        this.nameEl.textContent = name;
        this.barEl.setAttribute('aria-label', name);
        this.setAttribute('state', 'loading');
        this.figuresEl.textContent = '…';
        try {
            const e = await this.client.entitlement(feature);
            if (!e || e.type !== 'metered') {
                throw new Error(`no metered feature '${feature}' for this customer`);
            }
            this.draw(e);
            this.dispatchEvent(new CustomEvent('tollgate-usage', { detail: e }));
        } catch (error) {
            this.setAttribute('state', 'error');
            this.figuresEl.textContent = `unavailable: ${error.message}`;
            this.barEl.removeAttribute('aria-valuenow');
            this.dispatchEvent(new CustomEvent('tollgate-error', { detail: error }));
        }
    }

    draw(e) {
        const used = Number(e.used);
        if (e.unlimited) {
            this.setAttribute('state', 'unlimited');
            this.figuresEl.textContent = `${numbers.format(used)} used (unlimited)`;
            this.barEl.setAttribute('aria-valuemax', String(Math.max(used, 1)));
            this.barEl.setAttribute('aria-valuenow', String(used));
            this.fillEl.style.width = '0%';
            return;
        }
        const limit = Number(e.limit);
        this.setAttribute('state', used >= limit ? 'over' : 'ok');
        this.figuresEl.textContent = `${numbers.format(used)} of ${numbers.format(limit)} used`;
        this.barEl.setAttribute('aria-valuemax', String(limit));
        this.barEl.setAttribute('aria-valuenow', String(Math.min(used, limit)));
        this.barEl.setAttribute('aria-valuetext', this.figuresEl.textContent);
        this.fillEl.style.width = `${limit > 0 ? Math.min(100, (used / limit) * 100) : 100}%`;
    }
}

if (!customElements.get('tollgate-usage-meter')) {
    customElements.define('tollgate-usage-meter', TollgateUsageMeter);
}
