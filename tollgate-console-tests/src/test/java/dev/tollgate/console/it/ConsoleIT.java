package dev.tollgate.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The operator console in a real browser against a real server: signing in with the secret key (by keyboard alone),
 * finding a customer, granting credits, voiding a grant and refunding a consumption, each seen in the ledger on the
 * page and over the API; the catalog's versions and a diff; alerts with their deliveries. Every page visited passes
 * {@link Pages#assertAccessible}.
 */
final class ConsoleIT {
    @TempDir
    Path dir;

    private ConsoleServer server;
    private Browser browser;

    @BeforeEach
    void start() {
        browser = Browser.start(1366, 900);
        server = ConsoleServer.start(dir);
        DemoData.write(server, java.time.Instant.now());
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void signIn() {
        browser.open(server.url() + "/");
        WebElement key = browser.visible("input[name=key]");
        assertThat(browser.focused()).as("the key field has the focus").isEqualTo(key);
        browser.printFirstView("operator sign-in form", "tollgate:first-view");
        browser.recordEnter();
        key.sendKeys(ConsoleServer.KEY, Keys.ENTER);
        browser.visible("main table");
        printCustomersShown();
    }

    /** Prints how long the customers list took to show after the Enter that signed in (never asserted on). */
    private void printCustomersShown() {
        double enter = browser.enterTime();
        double shown = browser.markTime("tollgate:customers-shown", enter);
        System.out.printf(
                java.util.Locale.ROOT,
                "first view: customers list %.0f ms after Enter (the key checked, then the customers and the catalog"
                        + " fetched and drawn)%n",
                shown - enter);
    }

    @Test
    void a_wrong_key_is_refused_and_the_right_one_typed_and_entered_signs_in() {
        browser.open(server.url() + "/");
        WebElement key = browser.visible("input[name=key]");
        browser.printFirstView("operator sign-in form", "tollgate:first-view");
        Pages.assertAccessible(browser, "sign-in");
        key.sendKeys("tg_sk_not_the_key_0123456789abcdefgh", Keys.ENTER);
        browser.waitForText(".form-error", "not valid");
        assertThat(key.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.problems())
                .as("only the refused sign-in request")
                .allSatisfy(p -> assertThat(p).contains("401"));

        key.clear();
        browser.recordEnter();
        key.sendKeys(ConsoleServer.KEY, Keys.ENTER);
        browser.waitForText("main h1", "Customers");
        printCustomersShown();
        assertThat(browser.script("return sessionStorage.getItem('tollgate.secretKey')"))
                .isEqualTo(ConsoleServer.KEY);
        assertThat(browser.script("return localStorage.length"))
                .as("nothing kept beyond the tab")
                .isEqualTo(0L);

        browser.driver().findElement(By.id("sign-out")).click();
        browser.visible("input[name=key]");
        assertThat(browser.script("return sessionStorage.getItem('tollgate.secretKey')"))
                .isNull();
    }

    @Test
    void an_operator_finds_a_customer_grants_credits_and_sees_the_ledger_line_on_the_page_and_over_the_api() {
        signIn();
        Pages.assertAccessible(browser, "customers");
        assertThat(rowsText("main table tbody tr"))
                .as("every customer, by id")
                .hasSize(7)
                .first()
                .asString()
                .startsWith("acme");

        WebElement search = browser.driver().findElement(By.name("q"));
        search.sendKeys("glob");
        browser.waitFor("document.querySelectorAll('main table tbody tr').length === 1");
        assertThat(rowsText("main table tbody tr")).singleElement().asString().contains("Globex");
        search.clear();
        search.sendKeys("acme", Keys.ENTER);
        browser.waitForText("main h1", "Acme Corp");
        browser.visible("[data-balance=credits]");
        Pages.assertAccessible(browser, "customer");
        BigDecimal before = available();
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-balance=credits]"))
                        .getText())
                .isEqualTo(format(before));

        browser.driver().findElement(By.name("amount")).sendKeys("250");
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.name("category")))
                .selectByValue("paid");
        WebElement cost = browser.driver().findElement(By.name("costBasis"));
        cost.clear();
        cost.sendKeys("0.02");
        browser.driver()
                .findElement(By.cssSelector("#grant-title + form button[type=submit]"))
                .click();
        browser.waitForText(".form-ok", "Granted 250 credits");
        browser.waitForText("[data-balance=credits]", format(before.add(new BigDecimal("250"))));
        // the balance, the grants and the ledger reload side by side: the ledger may render after the balance
        browser.waitFor("document.querySelector('[aria-labelledby=ledger-title] tbody tr')?.textContent"
                + ".includes('GRANT')");
        String newest = firstLedgerRow();
        assertThat(newest).contains("GRANT").contains("+250");

        List<Map<String, Object>> ledger = ledger();
        Map<String, Object> grant = ledger.get(ledger.size() - 1);
        assertThat(grant).containsEntry("type", "GRANT").containsEntry("source", "api");
        assertThat((BigDecimal) grant.get("amount")).isEqualByComparingTo("250");
        assertThat((BigDecimal) grant.get("costBasis")).isEqualByComparingTo("0.02");
        assertThat((String) grant.get("idempotencyKey")).startsWith("console-grant-");
        assertThat(available()).isEqualByComparingTo(before.add(new BigDecimal("250")));
        Pages.assertAccessible(browser, "customer after a grant");
    }

    @Test
    void an_operator_voids_a_grant_and_refunds_a_consumption_after_confirming() {
        assertThat(server.post(
                                "/v1/consume",
                                Map.of(
                                        "customerId",
                                        "acme",
                                        "feature",
                                        "llm-tokens",
                                        "quantity",
                                        10000,
                                        "dimensions",
                                        Map.of("model", "gpt-4o"),
                                        "idempotencyKey",
                                        "job-42"))
                        .body())
                .containsEntry("recorded", true);
        String paid = paidGrant();
        signIn();
        browser.open(server.url() + "/#/customers/acme");
        browser.waitForText("main h1", "Acme Corp");

        WebElement refund = browser.visible("button[aria-label='Refund job-42']");
        refund.click();
        WebElement dialog = browser.visible("dialog[open]");
        assertThat(browser.focused().getText()).as("focus starts on Cancel").isEqualTo("Cancel");
        dialog.findElement(By.cssSelector("button.danger")).click();
        browser.waitFor("[...document.querySelectorAll('main tbody tr')].some(r => r.textContent.includes('REFUND'))");
        assertThat(firstLedgerRow()).contains("REFUND").contains("+50");
        assertThat(ledger()).anySatisfy(e -> {
            assertThat(e).containsEntry("type", "REFUND").containsEntry("idempotencyKey", "job-42");
            assertThat((BigDecimal) e.get("amount")).isEqualByComparingTo("50");
        });

        browser.visible("button[aria-label='Void grant " + paid + "']").sendKeys(Keys.ENTER);
        browser.visible("dialog[open] button.danger").click();
        browser.waitFor("[...document.querySelectorAll('main tbody tr')].some(r => r.textContent.includes('VOID'))");
        assertThat(firstLedgerRow()).contains("VOID");
        assertThat(grants())
                .anySatisfy(g -> assertThat(g).containsEntry("id", paid).containsEntry("status", "voided"));
        assertThat(browser.problems()).isEmpty();
    }

    @Test
    void the_catalog_shows_its_versions_and_what_each_changed_and_alerts_show_their_deliveries() {
        DemoData.publishWithProQueries(server, 1500);
        signIn();
        browser.driver().findElement(By.linkText("Catalog")).click();
        browser.waitForText("main h1", "Catalog");
        assertThat(browser.driver().findElement(By.linkText("Catalog")).getAttribute("aria-current"))
                .isEqualTo("page");
        Pages.assertAccessible(browser, "catalog");
        browser.driver().findElement(By.linkText("v2")).click();
        browser.waitForText("main h1", "Catalog version 2");
        assertThat(rowsText("main table tbody tr"))
                .singleElement()
                .asString()
                .contains("pro")
                .contains("entitlements.ai-queries.limit")
                .contains("1000")
                .contains("1500");
        Pages.assertAccessible(browser, "catalog diff");

        browser.driver().findElement(By.linkText("Alerts")).click();
        browser.waitForText("main h1", "Alerts");
        browser.visible("main table");
        assertThat(rowsText("main table tbody tr"))
                .as("budget thresholds of the demo's usage, each waiting for the webhook")
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r).contains("ops-alerts: pending"));
        Pages.assertAccessible(browser, "alerts");
        browser.driver().findElement(By.linkText("Webhooks")).click();
        browser.waitForText("main h1", "Webhooks");
        assertThat(rowsText("main table tbody tr"))
                .singleElement()
                .asString()
                .contains("ops-alerts")
                .contains("https://hooks.example.com/tollgate")
                .doesNotContain("demo-webhook-secret");
        Pages.assertAccessible(browser, "webhooks");
    }

    private List<String> rowsText(String css) {
        return browser.driver().findElements(By.cssSelector(css)).stream()
                .map(WebElement::getText)
                .toList();
    }

    private String firstLedgerRow() {
        return browser.driver()
                .findElement(By.cssSelector("[aria-labelledby=ledger-title] tbody tr"))
                .getText();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> ledger() {
        return (List<Map<String, Object>>)
                server.get("/v1/customers/acme/ledger?limit=1000").body().get("entries");
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> grants() {
        return (List<Map<String, Object>>)
                server.get("/v1/customers/acme/grants").body().get("grants");
    }

    private String paidGrant() {
        return grants().stream()
                .filter(g -> "paid".equals(g.get("category")))
                .map(g -> (String) g.get("id"))
                .findFirst()
                .orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private BigDecimal available() {
        List<Map<String, Object>> balances = (List<Map<String, Object>>)
                server.get("/v1/customers/acme/balance").body().get("balances");
        return (BigDecimal) balances.get(0).get("available");
    }

    /** A figure as the page shows it in the browser's locale (en-US). */
    private static String format(BigDecimal value) {
        return String.format(java.util.Locale.US, "%,f", value).replaceAll("\\.?0+$", "");
    }
}
