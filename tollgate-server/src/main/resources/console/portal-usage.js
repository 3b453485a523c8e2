// Usage over time for the portal: by level of the organisation's tree (departments, teams, users and agents, as the
// customer's scope kinds name them) or by model, per day, as a uPlot chart and a table of totals (the chart's text
// alternative), each exportable as CSV.
//
// One request per period: usage grouped by day, scope and feature (or day, model and feature); the rows are rolled up
// to the chosen level here, with the scope tree the token sees, so a token limited to a scope gets levels counted from
// its own scope down.

import uPlot from '/console/vendor/uplot-1.6.30/uPlot.esm.js';
import { describe } from './api.js';
import { announce, field, h, mount, notice, select } from './dom.js';
import { brief, round } from './format.js';
import { csvButton, table } from './table.js';

const PERIODS = [[7, 'Last 7 days'], [30, 'Last 30 days'], [90, 'Last 90 days']];
const COLOURS = ['#2f46b5', '#c2410c', '#067647', '#8e24aa', '#b42318', '#0e7490', '#a16207', '#57606a'];
const MOST_SERIES = 7;
const DAY = 86400;

/** The scope tree as a map id → {id, name, kind, level, parent}, the roots at level 1. */
export function scopeIndex(roots) {
    const index = new Map();
    const walk = (nodes, level, parent) => {
        for (const n of nodes) {
            index.set(n.id, { id: n.id, name: n.name || n.id, kind: n.kind || 'scope', level, parent });
            walk(n.children || [], level + 1, n.id);
        }
    };
    walk(roots, 1, null);
    return index;
}

/** The levels of the tree, each named by the kinds of its scopes: [[level, 'Department'], [2, 'Team'], ...]. */
function levels(index) {
    const kinds = new Map();
    for (const s of index.values()) {
        if (!kinds.has(s.level)) {
            kinds.set(s.level, []);
        }
        if (!kinds.get(s.level).includes(s.kind)) {
            kinds.get(s.level).push(s.kind);
        }
    }
    return [...kinds.keys()].sort((a, b) => a - b).map(level => {
        return [level, capital(kinds.get(level).join(' / '))];
    });
}

/** The group a usage row counts in: its scope's ancestor at `level` (or the scope, if higher), or its model. */
function groupOf(row, by, index) {
    if (by === 'model') {
        return row['dimension.model'] || '(no model)';
    }
    const level = Number(by.slice('scope:'.length));
    let scope = row.scope ? index.get(row.scope) : null;
    if (!scope) {
        return row.scope ? row.scope : '(organisation)';
    }
    while (scope.level > level && scope.parent) {
        scope = index.get(scope.parent);
    }
    return scope.name;
}

/** What a row adds to a measure: credits of a currency, or the quantity of a feature. */
function valueOf(row, measure) {
    if (measure.startsWith('currency:')) {
        const credits = row.credits || {};
        return Number(credits[measure.slice('currency:'.length)] || 0);
    }
    return row.feature === measure.slice('feature:'.length) ? Number(row.quantity) : 0;
}

function measures(rows) {
    const currencies = new Set();
    const features = new Set();
    for (const r of rows) {
        Object.keys(r.credits || {}).forEach(c => currencies.add(c));
        if (r.feature) {
            features.add(r.feature);
        }
    }
    return [...[...currencies].sort().map(c => [`currency:${c}`, `${capital(c)} spent`]),
        ...[...features].sort().map(f => [`feature:${f}`, `${capital(f)} used`])];
}

function capital(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}

function dayKey(seconds) {
    return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** Days (UTC midnights, in seconds) from `days` ago to today. */
function dayAxis(days) {
    const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
    const out = [];
    for (let i = days - 1; i >= 0; i--) {
        out.push(today - i * DAY);
    }
    return out;
}

export async function usageView(ctx) {
    const { api, base, session } = ctx;
    const tree = await api.get(`${base}/scopes`);
    const index = scopeIndex(tree.scopes);
    const groupings = [...levels(index).map(([level, label]) => [`scope:${level}`, label]), ['model', 'Model']];
    const by = select({ name: 'groupBy' }, groupings, groupings.length > 2 ? 'scope:2' : groupings[0][0]);
    const period = select({ name: 'period' }, PERIODS, 30);
    const measure = select({ name: 'measure' }, [], null);
    const heading = h('h2', { id: 'usage-chart-title' }, 'Usage');
    const chartBox = h('div', { class: 'chart', role: 'img', 'aria-labelledby': 'usage-chart-title' });
    const totals = h('div', { 'aria-live': 'polite' });
    const actions = h('div', { class: 'table-actions' });
    const cache = new Map();
    let plot = null;

    async function rowsFor(days, grouping) {
        const kind = grouping === 'model' ? 'day,dimension.model,feature' : 'day,scope,feature';
        const key = `${days}/${kind}`;
        if (!cache.has(key)) {
            const from = new Date((dayAxis(days)[0] - DAY) * 1000).toISOString();
            cache.set(key, api.get(`${base}/usage`, { from, groupBy: kind }).then(r => r.rows));
        }
        return cache.get(key);
    }

    async function draw() {
        try {
            await drawNow();
        } catch (e) {
            mount(totals, notice('error', describe(e)));
        }
    }

    async function drawNow() {
        const days = Number(period.value);
        const rows = await rowsFor(days, by.value);
        const offered = measures(rows);
        const chosen = offered.some(([v]) => v === measure.value) ? measure.value : (offered[0] || [''])[0];
        mount(measure, offered.map(([v, l]) => h('option', { value: v, selected: v === chosen }, l)));
        const axis = dayAxis(days);
        const position = new Map(axis.map((t, i) => [dayKey(t), i]));
        const series = new Map();
        for (const r of rows) {
            const i = position.get(r.day);
            const v = valueOf(r, chosen);
            if (i === undefined || !v) {
                continue;
            }
            const g = groupOf(r, by.value, index);
            if (!series.has(g)) {
                series.set(g, axis.map(() => 0));
            }
            series.get(g)[i] += v;
        }
        const sum = values => values.reduce((a, b) => a + b, 0);
        let groups = [...series.entries()].map(([name, values]) => ({ name, values, total: sum(values) }))
            .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
        if (groups.length > MOST_SERIES + 1) {
            const rest = groups.slice(MOST_SERIES);
            groups = groups.slice(0, MOST_SERIES);
            groups.push({ name: `${rest.length} others`, values: axis.map((_, i) => sum(rest.map(g => g.values[i]))),
                total: sum(rest.map(g => g.total)) });
        }
        const grand = sum(groups.map(g => g.total));
        const byLabel = groupings.find(([v]) => v === by.value)[1];
        const measureLabel = (offered.find(([v]) => v === chosen) || ['', 'Usage'])[1];
        heading.textContent = `${measureLabel} by ${byLabel.toLowerCase()}, per day`;
        drawChart(axis, groups);
        const columns = [
            { key: 'name', label: byLabel, rowHeader: true,
                render: g => [h('span', { class: 'swatch', dataset: { colour: String(groups.indexOf(g) % COLOURS.length) } }), g.name] },
            { key: 'total', label: 'Total', num: true,
                render: g => h('span', { dataset: { total: String(g.total) } }, round(g.total)), csv: g => g.total },
            { key: 'share', label: 'Share', num: true, render: g => (grand ? `${round(g.total / grand * 100)} %` : '—'),
                csv: g => (grand ? g.total / grand : '') },
            { key: 'peak', label: 'Busiest day', num: true, opt: true,
                render: g => `${round(Math.max(...g.values))}`, csv: g => Math.max(...g.values) },
        ];
        mount(totals, table({ caption: `${measureLabel} by ${byLabel.toLowerCase()}`, columns, rows: groups,
            empty: 'Nothing was used in this period.', stack: false }));
        for (const swatch of totals.querySelectorAll('.swatch')) {
            swatch.style.background = COLOURS[Number(swatch.dataset.colour)];
        }
        const daily = [];
        for (const g of groups) {
            g.values.forEach((v, i) => daily.push({ day: dayKey(axis[i]), group: g.name, value: v }));
        }
        const file = `usage-${session.customerId}-${by.value.replace(':', '')}-${days}d.csv`;
        mount(actions, h('span', { class: 'muted' }, `${measureLabel}: ${round(grand)} in all`),
            h('span', {},
                csvButton(file, [{ key: 'day', label: 'Day' }, { key: 'group', label: byLabel },
                    { key: 'value', label: measureLabel }], () => daily, 'Download CSV (per day)'), ' ',
                csvButton(file.replace('.csv', '-totals.csv'), columns, () => groups, 'Download CSV (totals)')));
        announce(heading.textContent);
        // for measuring (docs/console.md, "How fast"): the first chart and totals with the customer's data
        if (!performance.getEntriesByName('tollgate:first-view').length) {
            performance.mark('tollgate:first-view');
        }
    }

    function drawChart(axis, groups) {
        if (plot) {
            plot.destroy();
            plot = null;
        }
        const width = Math.max(280, chartBox.clientWidth || 600);
        const narrow = width < 500;
        plot = new uPlot({
            width,
            height: narrow ? 240 : 300,
            scales: { x: { time: true } },
            axes: [{ space: narrow ? 60 : 80 }, { size: 56, values: (u, ticks) => ticks.map(t => brief(t)) }],
            legend: { show: true, live: !narrow },
            cursor: { drag: { x: false, y: false } },
            series: [{ value: (u, t) => (t == null ? '—' : new Date(t * 1000).toISOString().slice(0, 10)) },
                ...groups.map((g, i) => ({
                    label: g.name,
                    stroke: COLOURS[i % COLOURS.length],
                    width: 2,
                    value: (u, v) => (v == null ? '—' : round(v)),
                    points: { show: width / axis.length >= 24 },
                }))],
        }, [axis, ...groups.map(g => g.values)], chartBox);
    }

    const observer = new ResizeObserver(() => {
        if (plot && chartBox.isConnected && Math.abs(plot.width - chartBox.clientWidth) > 4) {
            plot.setSize({ width: Math.max(280, chartBox.clientWidth), height: plot.height });
        }
    });
    observer.observe(chartBox);
    for (const control of [by, period, measure]) {
        control.addEventListener('change', () => draw());
    }
    const view = h('div', {},
        h('div', { class: 'page-head' }, h('h1', {}, 'Usage'),
            h('p', {}, session.scope ? `What ${session.scope} and the scopes below it used, day by day.`
                : 'What your organisation used, day by day.')),
        h('section', { class: 'card', 'aria-label': 'Chart settings' },
            h('form', { class: 'chart-controls', onsubmit: e => e.preventDefault() },
                field('Show by', by), field('Measure', measure), field('Period', period))),
        h('section', { class: 'card', 'aria-labelledby': 'usage-chart-title' }, heading, chartBox, actions, totals));
    // drawn once the view is on the page (uPlot measures its box); the first rows are asked for now
    rowsFor(Number(period.value), by.value);
    window.requestAnimationFrame(() => draw());
    return view;
}
