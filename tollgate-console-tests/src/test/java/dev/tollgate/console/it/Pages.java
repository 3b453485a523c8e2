package dev.tollgate.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/**
 * Checks every page of the console must pass, run in the browser on the page as it stands: each form control has a
 * label, each button a name, each image a text alternative, one main heading, and no problem in the browser's console.
 */
final class Pages {
    private Pages() {}

    /** The controls, buttons and images without an accessible name; an empty list when all have one. */
    private static final String UNNAMED = """
            const out = [];
            for (const el of document.querySelectorAll('input, select, textarea')) {
                if (el.type === 'hidden' || el.closest('[hidden]')) continue;
                const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')
                    || el.getAttribute('aria-labelledby');
                if (!named) out.push('control ' + (el.name || el.id || el.outerHTML.slice(0, 80)));
            }
            for (const el of document.querySelectorAll('button, a[href]')) {
                if (el.closest('[hidden]')) continue;
                const name = (el.getAttribute('aria-label') || el.textContent || '').trim();
                if (!name && !el.querySelector('img[alt]:not([alt=""])')) out.push('unnamed ' + el.outerHTML.slice(0, 80));
            }
            for (const el of document.querySelectorAll('img')) {
                if (!el.hasAttribute('alt')) out.push('image without alt ' + el.src);
            }
            const h1 = document.querySelectorAll('main h1').length;
            if (h1 !== 1) out.push(h1 + ' main headings');
            return out;
            """;

    /** Asserts that the page in {@code browser} passes the checks above. */
    @SuppressWarnings("unchecked")
    static void assertAccessible(Browser browser, String what) {
        List<String> unnamed = (List<String>) browser.script(UNNAMED);
        assertThat(unnamed).as("accessibility of %s", what).isEmpty();
        assertThat(browser.problems()).as("browser console on %s", what).isEmpty();
    }
}
