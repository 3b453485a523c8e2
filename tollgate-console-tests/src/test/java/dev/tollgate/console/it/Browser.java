package dev.tollgate.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Debian's chromedriver through Selenium, with nothing downloaded: both paths are
 * given explicitly ({@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}, or {@code -Dtollgate.chromium=} and
 * {@code -Dtollgate.chromedriver=}), so Selenium Manager, which would fetch drivers from the network, never runs;
 * {@link #start} checks that from Selenium's own log. Chromium starts with a fresh profile and without its background
 * networking (updates, sync, field trials), which stalls on a closed network.
 *
 * <p>A missing browser fails the test under {@code CI=true} and skips it elsewhere, as a missing PostgreSQL does
 * ({@code PostgresTestSchema}); {@code .ci/run} installs both packages.
 *
 * <p>The browser's console is kept: {@link #problems} lists its errors (a script error, a refused Content Security
 * Policy, a failed request), which the tests assert are none.
 *
 * <p>Not thread-safe: one test drives one browser.
 */
final class Browser implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private static final Logger SELENIUM_MANAGER = Logger.getLogger("org.openqa.selenium.manager.SeleniumManager");
    private static final Logger DRIVER_FINDER = Logger.getLogger("org.openqa.selenium.remote.service.DriverFinder");

    private final ChromeDriver driver;
    private final Path profile;
    private final List<String> problems = new ArrayList<>();
    private final List<String> driverFinderLog;

    private Browser(ChromeDriver driver, Path profile, List<String> driverFinderLog) {
        this.driver = driver;
        this.profile = profile;
        this.driverFinderLog = driverFinderLog;
    }

    /** Starts a browser whose window is {@code width} × {@code height} CSS pixels. */
    static Browser start(int width, int height) {
        Path chromium = Path.of(System.getProperty("tollgate.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("tollgate.chromedriver", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            String message = "Chromium or chromedriver is missing (" + chromium + ", " + chromedriver + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + "; under CI=true this is a failure (.ci/run installs them)");
            }
            Assumptions.abort(message + "; skipping. Install them: apt-get install -y chromium chromium-driver");
        }
        List<String> managerLog = Collections.synchronizedList(new ArrayList<>());
        List<String> finderLog = Collections.synchronizedList(new ArrayList<>());
        Handler managerHandler = recorder(managerLog);
        Handler finderHandler = recorder(finderLog);
        listen(SELENIUM_MANAGER, managerHandler);
        listen(DRIVER_FINDER, finderHandler);
        Path profile;
        Path driverLog = Path.of("target", "chromedriver.log").toAbsolutePath();
        try {
            profile = Files.createTempDirectory("tollgate-chromium-");
            Files.createDirectories(driverLog.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--lang=en-US",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withLogFile(driverLog.toFile())
                .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } finally {
            SELENIUM_MANAGER.removeHandler(managerHandler);
            DRIVER_FINDER.removeHandler(finderHandler);
        }
        assertThat(managerLog).as("Selenium Manager must never run").isEmpty();
        driver.manage().window().setSize(new Dimension(width, height));
        return new Browser(driver, profile, List.copyOf(finderLog));
    }

    private static Handler recorder(List<String> into) {
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                into.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        handler.setLevel(Level.ALL);
        return handler;
    }

    private static void listen(Logger logger, Handler handler) {
        logger.setLevel(Level.FINE);
        logger.addHandler(handler);
    }

    /** What Selenium's driver finder logged while the browser started: where it took the driver from. */
    List<String> driverFinderLog() {
        return driverFinderLog;
    }

    ChromeDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    /** Waits until {@code css} matches a visible element, and returns it. */
    WebElement visible(String css) {
        return new WebDriverWait(driver, WAIT)
                .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Waits until an element matching {@code css} contains {@code text}. */
    void waitForText(String css, String text) {
        new WebDriverWait(driver, WAIT)
                .until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
    }

    /** Waits until {@code condition} (JavaScript returning a boolean) holds in the page. */
    void waitFor(String condition) {
        new WebDriverWait(driver, WAIT).until(d -> Boolean.TRUE.equals(script("return Boolean(" + condition + ");")));
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /**
     * The time of the first performance mark {@code name} set at or after {@code after} (both in ms since the page's
     * navigation started, by the browser's clock), waiting for it; asserts that it is set, which proves the view it
     * marks rendered. A measure to print, never to assert on.
     */
    double markTime(String name, double after) {
        String find = "return (performance.getEntriesByName(arguments[0], 'mark')"
                + ".find(e => e.startTime >= arguments[1]) || {}).startTime;";
        try {
            new WebDriverWait(driver, WAIT).until(d -> script(find, name, after) != null);
        } catch (TimeoutException e) {
            // the assertion below says which mark
        }
        Object time = script(find, name, after);
        assertThat(time)
                .as("performance mark %s: the view it marks rendered", name)
                .isInstanceOf(Number.class);
        return ((Number) time).doubleValue();
    }

    /**
     * One line on standard output: how long the page just opened took until {@code mark} (its first useful view), with
     * the navigation timing of the page (the HTML received, DOMContentLoaded, the load event), all in ms since the
     * start of the navigation by the browser's clock (docs/console.md, "How fast"). Printed, never asserted on.
     */
    void printFirstView(String what, String mark) {
        double view = markTime(mark, 0);
        new WebDriverWait(driver, WAIT)
                .until(d -> Boolean.TRUE.equals(
                        script("return performance.getEntriesByType('navigation')[0].loadEventEnd > 0;")));
        @SuppressWarnings("unchecked")
        List<Number> navigation = (List<Number>) script("const n = performance.getEntriesByType('navigation')[0];"
                + " return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd];");
        System.out.printf(
                Locale.ROOT,
                "first view: %s %.0f ms (HTML received %.0f ms, DOMContentLoaded %.0f ms, load %.0f ms)%n",
                what,
                view,
                navigation.get(0).doubleValue(),
                navigation.get(1).doubleValue(),
                navigation.get(2).doubleValue());
    }

    /**
     * Keeps, in the page, the time of the next Enter key pressed ({@link #enterTime} reads it): the event's own time
     * stamp, so the round trips of the driver are not counted.
     */
    void recordEnter() {
        script("window.tollgateEnterAt = null; document.addEventListener('keydown', e => {"
                + " if (e.key === 'Enter' && window.tollgateEnterAt === null) window.tollgateEnterAt = e.timeStamp;"
                + " }, { capture: true });");
    }

    /** When the Enter key {@link #recordEnter} waited for was pressed, in ms since the page's navigation started. */
    double enterTime() {
        Object at = script("return window.tollgateEnterAt;");
        assertThat(at).as("Enter pressed after recordEnter()").isInstanceOf(Number.class);
        return ((Number) at).doubleValue();
    }

    /** The element that has the keyboard focus. */
    WebElement focused() {
        return driver.switchTo().activeElement();
    }

    /** Resizes the window. */
    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves what the window shows as a PNG. */
    void screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Errors of the browser's console since the last call: script errors, refused Content Security Policy, failed
     * requests. Requests the test made fail on purpose are the caller's to filter.
     */
    List<String> problems() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()
                    || e.getMessage().contains("Content Security Policy")) {
                problems.add(e.getMessage());
            }
        }
        List<String> out = List.copyOf(problems);
        problems.clear();
        return out;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a profile left in the temporary directory is harmless
            }
        }
    }
}
