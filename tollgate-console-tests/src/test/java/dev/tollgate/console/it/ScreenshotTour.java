package dev.tollgate.console.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.Keys;

/**
 * Takes the screenshots of {@code docs/console.md}: the main views of the console and of the portal at a laptop's width
 * (1366 px) and a phone's (390 px), over {@link DemoData}. {@link ScreenshotsIT} runs it into {@code target/screenshots} on every
 * build; to refresh the committed ones, run it by hand into {@code docs/images}:
 *
 * <pre>{@code
 * mvn -B -o -pl tollgate-console-tests -am verify -Dit.test=ScreenshotsIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dtollgate.screenshots=$PWD/docs/images
 * }</pre>
 *
 * <p>Each page is captured whole (the window is made as tall as the page, up to {@value #MAX_HEIGHT} px).
 */
final class ScreenshotTour {
    static final int LAPTOP = 1366;
    static final int PHONE = 390;
    static final int MAX_HEIGHT = 2600;

    /** A view: its file name, its address, and the element to wait for before the picture. */
    record View(String name, String fragment, String ready) {}

    static final List<View> OPERATOR = List.of(
            new View("console-customers", "#/customers", "main table"),
            new View("console-customer", "#/customers/acme", "[aria-labelledby=ledger-title] table"),
            new View("console-catalog", "#/catalog", "main table"),
            new View("console-catalog-diff", "#/catalog/versions/2", "main table"),
            new View("console-alerts", "#/alerts", "main table"));

    /** The portal's views, opened from a portal link of {@link DemoData#CUSTOMER} with every permission. */
    static final List<View> PORTAL = List.of(
            new View("portal-usage", "#/usage", "main .uplot"),
            new View("portal-budgets", "#/budgets", "main .budget"),
            new View("portal-alerts", "#/alerts", "main table"),
            new View("portal-sessions", "#/sessions", "main table"),
            new View("portal-credits", "#/credits", "main table"));

    private ScreenshotTour() {}

    /** Writes the pictures into {@code out} and returns the files written. */
    static List<Path> run(ConsoleServer server, Path out) throws Exception {
        Files.createDirectories(out);
        List<Path> written = new ArrayList<>();
        for (int width : new int[] {LAPTOP, PHONE}) {
            String suffix = width == LAPTOP ? "laptop" : "phone";
            try (Browser browser = Browser.start(width, 900)) {
                browser.open(server.url() + "/");
                browser.visible("input[name=key]");
                written.add(shoot(browser, out.resolve("console-sign-in-" + suffix + ".png"), width));
                browser.visible("input[name=key]").sendKeys(ConsoleServer.KEY, Keys.ENTER);
                browser.visible("main table");
                for (View v : OPERATOR) {
                    browser.open("about:blank"); // a full load each time, so that its time is measured
                    browser.open(server.url() + "/" + v.fragment());
                    browser.visible(v.ready());
                    System.out.printf("first view %s at %d px: %.0f ms%n", v.name(), width, firstViewMillis(browser));
                    Pages.assertAccessible(browser, v.name());
                    written.add(shoot(browser, out.resolve(v.name() + "-" + suffix + ".png"), width));
                }
            }
            try (Browser browser = Browser.start(width, 900)) {
                written.addAll(portal(browser, server, out, suffix, width));
            }
        }
        return written;
    }

    /**
     * The portal's views as an admin of {@link DemoData#CUSTOMER} sees them, from a link made over the API with every
     * permission, and the form that changes a budget open.
     */
    static List<Path> portal(Browser browser, ConsoleServer server, Path out, String suffix, int width) {
        List<Path> written = new ArrayList<>();
        browser.open(portalLink(server, List.of("read", "budgets", "alerts")));
        for (View v : PORTAL) {
            browser.open(server.url() + "/portal" + v.fragment());
            browser.visible(v.ready());
            Pages.assertAccessible(browser, v.name());
            written.add(shoot(browser, out.resolve(v.name() + "-" + suffix + ".png"), width));
        }
        browser.open(server.url() + "/portal#/budgets");
        browser.visible("button[aria-label='Change budget monthly-credits of Engineering']")
                .click();
        browser.visible("form.budget-form input[name=limit]");
        Pages.assertAccessible(browser, "portal-budget-form");
        written.add(shoot(browser, out.resolve("portal-budget-form-" + suffix + ".png"), width));
        return written;
    }

    /** A portal link of {@link DemoData#CUSTOMER} made over the API with a secret key, as a vendor's backend does. */
    static String portalLink(ConsoleServer server, List<String> permissions) {
        ConsoleServer.Answer a =
                server.post("/v1/portal-sessions", Map.of("customerId", DemoData.CUSTOMER, "permissions", permissions));
        return (String) a.body().get("url");
    }

    /**
     * How long the page just opened took from the start of its navigation until its view was on screen (the mark the
     * router sets after it mounts a view), by the browser's clock. Printed, never asserted: a measure, not a test.
     */
    static double firstViewMillis(Browser browser) {
        browser.waitFor("performance.getEntriesByName('tollgate:view').length > 0");
        return ((Number) browser.script("return performance.getEntriesByName('tollgate:view')[0].startTime;"))
                .doubleValue();
    }

    private static Path shoot(Browser browser, Path file, int width) {
        // the window's height counts the browser's own bars: the page gets the window less those
        Number height = (Number) browser.script(
                "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;");
        browser.resize(width, Math.min(Math.max(height.intValue(), 700), MAX_HEIGHT));
        browser.script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();");
        browser.screenshot(file);
        browser.resize(width, 900);
        return file;
    }

    /** Runs the tour on a fresh server with the demo data: {@code ScreenshotTour <output directory>}. */
    public static void main(String[] args) throws Exception {
        Path data = Files.createTempDirectory("tollgate-tour-");
        try (ConsoleServer server = ConsoleServer.start(data)) {
            DemoData.write(server, Instant.now());
            DemoData.publishWithProQueries(server, 1500);
            for (Path p : run(server, Path.of(args.length > 0 ? args[0] : "target/screenshots"))) {
                System.out.println(p);
            }
        }
    }
}
