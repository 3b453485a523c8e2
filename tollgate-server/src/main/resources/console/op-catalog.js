// The catalog: what is current (plans, features, currencies), every version with who published it and a summary, and
// what each version changed.

import { seg } from './api.js';
import { h } from './dom.js';
import { dateTime, num } from './format.js';
import { hashOf } from './router.js';
import { csvButton, table } from './table.js';

/** An entitlement's terms in words: `limit 1,000, enforcement soft`; nested objects in parentheses. */
function entitlementText(value) {
    if (value === null || value === undefined) {
        return '—';
    }
    if (typeof value === 'number') {
        return num(value);
    }
    if (typeof value !== 'object') {
        return String(value);
    }
    return Object.entries(value).map(([k, v]) => (v !== null && typeof v === 'object'
        ? `${k} (${entitlementText(v)})` : `${k} ${entitlementText(v)}`)).join(', ');
}

export async function catalogView(api) {
    const [catalog, versions] = await Promise.all([api.get('/v1/catalog'), api.get('/v1/catalog/versions', { limit: 500 })]);
    const doc = catalog.document || {};
    const plans = doc.plans || [];
    const features = doc.features || [];
    const planColumns = [
        { key: 'key', label: 'Plan', rowHeader: true, render: p => h('span', {}, h('strong', {}, p.key), p.name ? ` — ${p.name}` : '') },
        { key: 'version', label: 'Version', num: true, render: p => num((catalog.planVersions || {})[p.key]), csv: p => (catalog.planVersions || {})[p.key] },
        { key: 'parent', label: 'Parent', opt: true },
        { key: 'price', label: 'Price', render: p => (p.price ? `${num(p.price.amount)} ${p.price.currency} / ${p.price.every}` : 'free'),
            csv: p => (p.price ? `${p.price.amount} ${p.price.currency}/${p.price.every}` : '') },
        { key: 'entitlements', label: 'Entitlements', render: p => h('ul', { class: 'plain' },
            Object.entries(p.entitlements || {}).map(([f, e]) => h('li', {}, h('code', {}, f), ` ${entitlementText(e)}`))),
        csv: p => p.entitlements },
    ];
    const featureColumns = [
        { key: 'key', label: 'Feature', rowHeader: true, render: f => h('code', {}, f.key) },
        { key: 'type', label: 'Type' },
        { key: 'unit', label: 'Unit', opt: true },
        { key: 'reset', label: 'Resets', render: f => f.reset || '—' },
    ];
    const versionColumns = [
        { key: 'version', label: 'Version', num: true, rowHeader: true, render: v => h('a', { href: hashOf('catalog', 'versions', String(v.version)) }, `v${v.version}`) },
        { key: 'time', label: 'Published', render: v => dateTime(v.time), csv: v => v.time },
        { key: 'author', label: 'By' },
        { key: 'summary', label: 'Summary', opt: true },
    ];
    const history = versions.versions.slice().reverse();
    return h('div', {},
        h('div', { class: 'page-head' }, h('h1', {}, 'Catalog'),
            h('p', {}, `Version ${catalog.version}, published ${dateTime(catalog.publishedAt)} by ${catalog.author || '—'}`)),
        h('section', { class: 'card', 'aria-labelledby': 'plans-title' },
            h('header', {}, h('h2', { id: 'plans-title' }, 'Plans'), csvButton('plans.csv', planColumns, () => plans)),
            table({ caption: 'Plans', columns: planColumns, rows: plans, empty: 'No plan.' })),
        h('div', { class: 'grid' },
            h('section', { class: 'card', 'aria-labelledby': 'features-title' }, h('h2', { id: 'features-title' }, 'Features'),
                table({ caption: 'Features', columns: featureColumns, rows: features, empty: 'No feature.', stack: false })),
            h('section', { class: 'card', 'aria-labelledby': 'cur-title' }, h('h2', { id: 'cur-title' }, 'Currencies and add-ons'),
                table({ caption: 'Currencies', rows: doc.currencies || [], empty: 'No currency.', stack: false, columns: [
                    { key: 'key', label: 'Currency', rowHeader: true }, { key: 'depletion', label: 'Depletion' }] }),
                h('p', {}),
                table({ caption: 'Add-ons', rows: doc.addons || [], empty: 'No add-on.', columns: [
                    { key: 'key', label: 'Add-on', rowHeader: true }, { key: 'name', label: 'Name' },
                    { key: 'entitlements', label: 'Entitlements', render: a => entitlementText(a.entitlements) }] }))),
        h('section', { class: 'card', 'aria-labelledby': 'versions-title' },
            h('header', {}, h('h2', { id: 'versions-title' }, 'Versions'), csvButton('catalog-versions.csv', versionColumns, () => history)),
            table({ caption: 'Catalog versions, newest first', columns: versionColumns, rows: history })));
}

const PARTS = [['plans', 'Plans'], ['addons', 'Add-ons'], ['features', 'Features'], ['currencies', 'Currencies'], ['rateCards', 'Rate cards']];

function value(v) {
    return v === null || v === undefined ? '(none)' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export async function versionView(api, n) {
    const diff = await api.get(`/v1/catalog/versions/${seg(n)}/diff`);
    const rows = [];
    for (const [part, label] of PARTS) {
        for (const kind of ['added', 'removed', 'changed']) {
            for (const entry of (diff[part] || {})[kind] || []) {
                for (const c of entry.changes || []) {
                    rows.push({ part: label, kind, key: entry.key, field: c.field, from: c.from, to: c.to,
                        versions: entry.fromVersion || entry.toVersion ? `v${entry.fromVersion ?? '–'} → v${entry.toVersion ?? '–'}` : '' });
                }
            }
        }
    }
    const columns = [
        { key: 'part', label: 'What' },
        { key: 'key', label: 'Key', render: r => h('code', {}, r.key) },
        { key: 'kind', label: 'Change', render: r => h('span', { class: `badge ${r.kind === 'added' ? 'ok' : r.kind === 'removed' ? 'bad' : 'warn'}` }, r.kind) },
        { key: 'versions', label: 'Plan version', opt: true },
        { key: 'field', label: 'Field', render: r => h('code', {}, r.field) },
        { key: 'from', label: 'From', render: r => h('span', { class: 'diff-from' }, value(r.from)), csv: r => value(r.from) },
        { key: 'to', label: 'To', render: r => h('span', { class: 'diff-to' }, value(r.to)), csv: r => value(r.to) },
    ];
    const n0 = Number(n);
    return h('div', {},
        h('p', { class: 'crumbs' }, h('a', { href: '#/catalog' }, 'Catalog'), ' / ', `version ${n}`),
        h('div', { class: 'page-head' }, h('h1', {}, `Catalog version ${n}`),
            h('p', {}, n0 > 1 ? `What changed from version ${n0 - 1}` : 'Everything it added to the empty catalog')),
        h('nav', { 'aria-label': 'Versions', class: 'table-actions' },
            n0 > 1 ? h('a', { href: hashOf('catalog', 'versions', String(n0 - 1)) }, `← version ${n0 - 1}`) : h('span'),
            h('a', { href: hashOf('catalog', 'versions', String(n0 + 1)) }, `version ${n0 + 1} →`)),
        h('section', { class: 'card', 'aria-labelledby': 'diff-title' },
            h('header', {}, h('h2', { id: 'diff-title' }, `${rows.length} change(s)`), csvButton(`catalog-diff-${n}.csv`, columns, () => rows)),
            table({ caption: `Changes in version ${n}`, columns, rows, empty: 'No change: the document was published again as it was.' })));
}
