// Building the page: elements from plain data, never from HTML strings, so nothing a customer or an operator typed
// can become markup.

/**
 * Creates an element. attrs: `class`, `for`, `text`, event handlers as `onclick` (functions), `dataset` (an object),
 * booleans (set when true), anything else as an attribute. Children: nodes, strings (text), arrays, or null/false
 * (skipped).
 */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
        if (value === null || value === undefined || value === false) {
            continue;
        }
        if (name.startsWith('on') && typeof value === 'function') {
            el.addEventListener(name.slice(2), value);
        } else if (name === 'dataset') {
            Object.assign(el.dataset, value);
        } else if (name === 'text') {
            el.textContent = value;
        } else if (name === 'class') {
            el.className = value;
        } else if (value === true) {
            el.setAttribute(name, '');
        } else {
            el.setAttribute(name, String(value));
        }
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const child of children) {
        if (child === null || child === undefined || child === false) {
            continue;
        }
        if (Array.isArray(child)) {
            append(el, child);
        } else if (child instanceof Node) {
            el.appendChild(child);
        } else {
            el.appendChild(document.createTextNode(String(child)));
        }
    }
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
    el.replaceChildren();
    append(el, children);
    return el;
}

/** Says `text` to screen readers through the page's polite live region. */
export function announce(text) {
    const region = document.getElementById('status');
    if (region) {
        region.textContent = '';
        window.setTimeout(() => { region.textContent = text; }, 50);
    }
}

/** A message box: kind is `error`, `info` or `warn`. Errors are announced at once (role=alert). */
export function notice(kind, ...content) {
    return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...content);
}

/** A labelled form field: a label tied to its control, an optional hint tied by aria-describedby. */
export function field(label, control, hint) {
    const id = control.id || uniqueId('f');
    control.id = id;
    const parts = [h('label', { for: id }, label), control];
    if (hint) {
        const hintId = `${id}-hint`;
        control.setAttribute('aria-describedby', hintId);
        parts.push(h('span', { class: 'hint', id: hintId }, hint));
    }
    return h('div', { class: 'field' }, parts);
}

let counter = 0;

/** An id unique in the page. */
export function uniqueId(prefix) {
    counter += 1;
    return `${prefix}-${counter}`;
}

/** A `<select>` of options given as [value, label] pairs (or plain values). */
export function select(attrs, options, selected) {
    return h('select', attrs, options.map(o => {
        const [value, label] = Array.isArray(o) ? o : [o, o];
        return h('option', { value, selected: String(value) === String(selected) }, label);
    }));
}

/**
 * Asks for confirmation in a modal dialog; resolves true when confirmed. Focus goes to the dialog and back to where it
 * was afterwards; Escape cancels.
 */
export function confirmDialog(title, text, confirmLabel) {
    return new Promise(resolve => {
        const back = document.activeElement;
        const cancel = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
        const ok = h('button', { type: 'button', class: 'danger', value: 'ok' }, confirmLabel);
        const titleId = uniqueId('dlg');
        const dialog = h('dialog', { 'aria-labelledby': titleId },
            h('h2', { id: titleId }, title), h('p', {}, text), h('menu', {}, cancel, ok));
        const done = answer => {
            dialog.close();
            dialog.remove();
            if (back && back.focus) {
                back.focus();
            }
            resolve(answer);
        };
        cancel.addEventListener('click', () => done(false));
        ok.addEventListener('click', () => done(true));
        dialog.addEventListener('cancel', event => { event.preventDefault(); done(false); });
        document.body.appendChild(dialog);
        dialog.showModal();
        cancel.focus();
    });
}

/** Moves focus to the page's main heading after a view change, so keyboard and screen-reader users start there. */
export function focusHeading(root) {
    const heading = root.querySelector('h1');
    if (heading) {
        heading.setAttribute('tabindex', '-1');
        heading.focus({ preventScroll: true });
    }
}
