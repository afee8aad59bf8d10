package dev.runledger.deploy.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium driven through Debian's chromedriver, both named explicitly so Selenium
 * Manager never downloads a browser or a driver. Register it with {@code @ExtendWith} on the class,
 * so it runs before the class's stack starts: when {@value #BROWSER} or {@value #DRIVER} is missing
 * the class is skipped with an assumption naming them, unless {@value #REQUIRE} is {@code 1}
 * ({@code .ci/run} sets it), then it fails. Screenshots go to {@code target/console-screenshots/}.
 */
public final class Chromium implements BeforeAllCallback, AfterAllCallback {
  static final String BROWSER = "/usr/bin/chromium";
  static final String DRIVER = "/usr/bin/chromedriver";
  static final String REQUIRE = "RUNLEDGER_REQUIRE_BROWSER";
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  private static WebDriver driver;
  private static Path profile;
  private static final AtomicInteger SHOTS = new AtomicInteger();

  @Override
  public void beforeAll(final ExtensionContext context) throws IOException {
    final boolean present =
        Files.isExecutable(Path.of(BROWSER)) && Files.isExecutable(Path.of(DRIVER));
    final String missing =
        "the console's browser test needs Debian's chromium and chromium-driver ("
            + BROWSER
            + ", "
            + DRIVER
            + "): apt-get install -y chromium chromium-driver";
    if (!present && "1".equals(System.getenv(REQUIRE))) {
      throw new IllegalStateException(REQUIRE + "=1 but " + missing);
    }
    Assumptions.assumeTrue(present, "skipped: " + missing + " (or set " + REQUIRE + "=1 to fail)");
    profile = Files.createTempDirectory("runledger-chromium");
    final ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1360,900",
        "--user-data-dir=" + profile);
    final ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER))
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    Files.createDirectories(SCREENSHOTS);
    try (var old = Files.newDirectoryStream(SCREENSHOTS, "*.png")) {
      for (final Path file : old) {
        Files.delete(file);
      }
    }
  }

  @Override
  public void afterAll(final ExtensionContext context) throws IOException {
    if (driver != null) {
      driver.quit();
      driver = null;
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
      profile = null;
    }
  }

  /** The browser of the running class. */
  static WebDriver driver() {
    if (driver == null) {
      throw new IllegalStateException("Chromium is not started: register it with @ExtendWith");
    }
    return driver;
  }

  /** Saves what the browser shows as {@code target/console-screenshots/NN-name.png}. */
  static Path screenshot(final String name) {
    final byte[] png =
        ((org.openqa.selenium.TakesScreenshot) driver()).getScreenshotAs(OutputType.BYTES);
    final Path file =
        SCREENSHOTS.resolve(
            String.format(Locale.ROOT, "%02d-%s.png", SHOTS.incrementAndGet(), name));
    try {
      Files.write(file, png);
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
