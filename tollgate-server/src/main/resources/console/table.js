// Data tables and their CSV export: what the user sees is what they download.

import { h } from './dom.js';

/**
 * A table. columns: [{ key, label, num: true for figures, render(row) → node or text, csv(row) → raw value, opt: true
 * to hide on phones, nowrap: true to keep on one line }]. Rows without data show `empty`. Returns the table in a
 * horizontally scrolling wrapper. On a phone each row becomes a card of label–value lines, unless `stack` is false
 * (narrow tables read better as tables).
 */
export function table({ caption, columns, rows, empty = 'Nothing yet.', rowAttrs, stack = true }) {
    if (!rows.length) {
        return h('p', { class: 'empty' }, empty);
    }
    const head = h('tr', {}, columns.map(c =>
        h('th', { scope: 'col', class: [c.num ? 'num' : '', c.opt ? 'opt' : ''].join(' ').trim() || null }, c.label)));
    const body = rows.map(row => h('tr', rowAttrs ? rowAttrs(row) : {}, columns.map((c, i) => {
        const content = c.render ? c.render(row) : row[c.key];
        const cls = [c.num ? 'num' : '', c.opt ? 'opt' : '', c.nowrap ? 'nowrap' : '', c.cellClass ? c.cellClass(row) : '']
            .join(' ').trim();
        const cell = i === 0 && c.rowHeader ? 'th' : 'td';
        return h(cell, { class: cls || null, scope: cell === 'th' ? 'row' : null, 'data-label': c.label },
            content === null || content === undefined ? '—' : content);
    })));
    return h('div', { class: `table-wrap${stack ? ' stack' : ''}`, tabindex: '0', role: 'region', 'aria-label': caption },
        h('table', {}, caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
            h('thead', {}, head), h('tbody', {}, body)));
}

/** RFC 4180 text: a header line of labels, then one line per row of raw values. */
export function csvText(columns, rows) {
    const cell = value => {
        const text = value === null || value === undefined ? ''
            : typeof value === 'object' ? JSON.stringify(value) : String(value);
        return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const lines = [columns.map(c => cell(c.label)).join(',')];
    for (const row of rows) {
        lines.push(columns.map(c => cell(c.csv ? c.csv(row) : row[c.key])).join(','));
    }
    return `${lines.join('\r\n')}\r\n`;
}

/** Offers `text` as a file download. */
export function download(fileName, text, type = 'text/csv;charset=utf-8') {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = h('a', { href: url, download: fileName, hidden: true });
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A button that downloads `rows()` (called on click) as `fileName` in the columns given. */
export function csvButton(fileName, columns, rows, label = 'Download CSV') {
    return h('button', {
        type: 'button',
        class: 'small',
        'data-export': fileName,
        onclick: () => download(fileName, csvText(columns.filter(c => c.csv !== false), rows())),
    }, label);
}
