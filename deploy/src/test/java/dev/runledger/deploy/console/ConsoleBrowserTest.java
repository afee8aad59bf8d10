package dev.runledger.deploy.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.http.HttpServerSettings;
import dev.runledger.deploy.http.TokenFile;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console (README "Web console") in headless Chromium against a real stack with
 * authentication on: sign in with a token, send an event, see its run appear, watch it complete
 * live, cancel a long run, filter the list, and get a binding's validation error next to its field.
 * The tests run in order, as one person's session; screenshots go to {@code
 * target/console-screenshots/}.
 */
@ExtendWith(Chromium.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  private static final String QUICK = "web";
  private static final String SLOW = "web-slow";
  private static final String BINDING = "echo";
  private static final String TOKEN = TokenFile.newToken();
  private static final String TOKEN_NAME = "console-admin";

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("console")
          .set(HttpServerSettings.TOKENS_FILE.key(), tokensFile().toString())
          .awaitRunner(DevStack.ECHO_RUNNER)
          .build();

  private static String completedRun;

  @BeforeAll
  static void bindEchoInBothWorkspaces() {
    final TestApi api = STACK.api().as(TOKEN);
    // a turn long enough to open the run while it is still running
    api.bind(
        BINDING,
        Binding.of(QUICK, DevStack.ECHO_RUNNER)
            .config(AvroJson.mapper().createObjectNode().put("turn_delay_ms", 8000)));
    api.bind(
        BINDING,
        Binding.of(SLOW, DevStack.ECHO_RUNNER)
            .config(AvroJson.mapper().createObjectNode().put("turn_delay_ms", 600_000)));
    api.awaitBinding(QUICK, "probe");
    api.awaitBinding(SLOW, "probe");
  }

  @Test
  @Order(1)
  void shouldShowOnlyTheTokensWorkspacesWhenSignedInWithAToken() {
    // given the console without a token
    driver().get(STACK.api().url() + "/");
    visible(By.id("signin-form"));
    Chromium.screenshot("sign-in");

    // when signing in with a token the server does not know, then with the token
    driver().findElement(By.id("token")).sendKeys(TokenFile.newToken());
    driver().findElement(By.id("signin")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("signin-error"), "unauthenticated"));
    driver().findElement(By.id("token")).clear();
    driver().findElement(By.id("token")).sendKeys(TOKEN);
    driver().findElement(By.id("signin")).click();

    // then the console names the token and offers its workspaces only
    wait(ExpectedConditions.textToBe(By.id("who"), TOKEN_NAME + " (admin)"));
    final List<String> workspaces =
        select(By.id("workspace-select")).getOptions().stream().map(WebElement::getText).toList();
    assertThat(workspaces).containsExactly(QUICK, SLOW);
    assertThat(
            ((JavascriptExecutor) driver())
                .executeScript("return sessionStorage.getItem('runledger.token')"))
        .isEqualTo(TOKEN);
  }

  @Test
  @Order(2)
  void shouldShowTheRunOfAnEventSentFromTheConsoleCompletingLiveWhenOpened() {
    // given the runs list of the quick workspace
    workspace(QUICK);

    // when sending an event from the console
    driver().findElement(By.id("send-conversation")).clear();
    driver().findElement(By.id("send-conversation")).sendKeys("web-c1");
    driver().findElement(By.id("send-text")).sendKeys("hello from the browser");
    driver().findElement(By.id("send")).click();
    visible(By.cssSelector("#send-result a.event-link"));

    // then its run appears in the list, and its page follows it to the end
    completedRun = runIn("web-c1");
    Chromium.screenshot("run-appeared");
    open(completedRun);
    visible(By.cssSelector("#run-status[data-status='running']"));
    visible(By.cssSelector("#stream-state[data-followed='true']"));
    visible(By.cssSelector("#run-status[data-status='completed']"));
    visible(By.cssSelector("#timeline tr[data-type='run.completed']"));
    assertThat(driver().findElement(By.id("final-message")).getText())
        .isEqualTo("hello from the browser");
    assertThat(driver().findElement(By.id("cancel")).isEnabled()).isFalse();
    Chromium.screenshot("run-completed");
  }

  @Test
  @Order(3)
  void shouldLeadFromTheRunToItsConversationAndItsEventsDecision() {
    // given the completed run's page
    driver().get(STACK.api().url() + "/#/runs/" + completedRun);
    visible(By.cssSelector("#run-status[data-status='completed']"));

    // when following its conversation link, then searching the transcript
    visible(By.cssSelector("#run-facts a.conversation-link")).click();

    // then the transcript holds the message and its echo, and the search finds them
    wait(
        d ->
            d.findElements(By.cssSelector("#transcript .msg.user pre")).stream()
                .anyMatch(m -> m.getText().equals("hello from the browser")));
    visible(By.cssSelector("#transcript .msg.assistant"));
    driver().findElement(By.id("search-q")).sendKeys("browser");
    driver().findElement(By.id("search")).click();
    wait(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("search-results"), "hello from the browser"));
    Chromium.screenshot("conversation");

    // and the run's event link shows the event's decision, naming the run
    driver().get(STACK.api().url() + "/#/runs/" + completedRun);
    visible(By.cssSelector("#run-facts a.event-link")).click();
    wait(ExpectedConditions.textToBe(By.id("decision-kind"), "run_created"));
    assertThat(visible(By.cssSelector("#decision a.run-link")).getText()).isEqualTo(completedRun);
    Chromium.screenshot("event-decision");
  }

  @Test
  @Order(4)
  void shouldEndARunCancelledWhenItsCancelButtonIsPressed() {
    // given a run of the slow workspace, running its long turn
    workspace(SLOW);
    driver().findElement(By.id("send-conversation")).clear();
    driver().findElement(By.id("send-conversation")).sendKeys("slow-c1");
    driver().findElement(By.id("send-text")).sendKeys("take your time");
    driver().findElement(By.id("send")).click();
    open(runIn("slow-c1"));
    visible(By.cssSelector("#run-status[data-status='running']"));
    visible(By.cssSelector("#timeline tr[data-type='run.claimed']"));

    // when pressing cancel
    visible(By.id("cancel")).click();

    // then the page shows it cancelled, with the error's code
    visible(By.cssSelector("#run-status[data-status='cancelled']"));
    assertThat(visible(By.id("run-error")).getText()).startsWith("cancelled");
    visible(By.cssSelector("#timeline tr[data-type='run.failed']"));
    Chromium.screenshot("run-cancelled");
  }

  @Test
  @Order(5)
  void shouldListOnlyTheMatchingRunsWhenTheListIsFiltered() {
    // given the quick workspace's runs (its completed run, the probes' runs)
    workspace(QUICK);

    // when filtering by the run's conversation and status
    driver().findElement(By.id("filter-conversation")).sendKeys("web-c1");
    select(By.id("filter-status")).selectByValue("completed");
    driver().findElement(By.id("apply-filters")).click();

    // then only that run is listed; a status it does not have lists none
    wait(
        d ->
            d.findElements(By.cssSelector("#runs tr[data-run]")).stream()
                .map(r -> r.getAttribute("data-run"))
                .toList()
                .equals(List.of(completedRun)));
    Chromium.screenshot("runs-filtered");
    select(By.id("filter-status")).selectByValue("running");
    driver().findElement(By.id("apply-filters")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("runs"), "No runs match."));
    assertThat(driver().findElements(By.cssSelector("#runs tr[data-run]"))).isEmpty();
  }

  @Test
  @Order(6)
  void shouldShowTheServersValidationErrorNextToItsFieldWhenABindingIsSaved() {
    // given the quick workspace's echo binding in the editor
    driver().get(STACK.api().url() + "/#/bindings");
    visible(By.cssSelector("#bindings tr[data-binding='" + BINDING + "'] a")).click();
    final WebElement timeout = visible(By.id("field-timeout_ms"));

    // when saving it with a timeout of 0
    timeout.clear();
    timeout.sendKeys("0");
    driver().findElement(By.id("save-binding")).click();

    // then the server's message stands next to the timeout field, which is marked
    final WebElement error = visible(By.cssSelector("[data-error-for='timeout_ms']:not(:empty)"));
    assertThat(error.getText()).contains("timeout_ms").contains("must be greater than 0");
    assertThat(timeout.getAttribute("class")).contains("invalid");
    Chromium.screenshot("binding-invalid");

    // and a valid value saves it
    timeout.clear();
    timeout.sendKeys("600000");
    driver().findElement(By.id("save-binding")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("binding-saved"), "saved"));
    assertThat(
            STACK
                .api()
                .as(TOKEN)
                .get("/v1/workspaces/" + QUICK + "/bindings/" + BINDING)
                .path("timeout_ms")
                .asLong())
        .isEqualTo(600_000L);
  }

  /** Chooses the workspace in the header and waits for its runs list. */
  private static void workspace(final String workspace) {
    driver().get(STACK.api().url() + "/#/");
    select(By.id("workspace-select")).selectByValue(workspace);
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("runs-info"), workspace));
  }

  @Test
  @Order(7)
  void shouldListTheEchoRunnerAndTheStacksWorkerWhenTheRegistryIsServed() {
    // when opening the runners page, then the workers page
    driver().get(STACK.api().url() + "/#/runners");
    final String runners = visible(By.cssSelector("#registry-missing, #runners")).getText();
    Chromium.screenshot("runners");
    driver().get(STACK.api().url() + "/#/workers");
    final String workers = visible(By.cssSelector("#registry-missing, #workers")).getText();
    Chromium.screenshot("workers");

    // then each shows the registry's answer, or says this server has none (GET /v1/runners and
    // /v1/workers answer 404 where the registry is not part of the build)
    assertThat(runners).containsAnyOf(DevStack.ECHO_RUNNER, "registry not available");
    assertThat(workers).containsAnyOf("live", "registry not available");
  }

  /** The run of the conversation once the list shows it (the list is redrawn as it refreshes). */
  private static String runIn(final String conversation) {
    return wait(
        d ->
            d
                .findElements(By.cssSelector("#runs tr[data-conversation='" + conversation + "']"))
                .stream()
                .map(row -> row.getAttribute("data-run"))
                .findFirst()
                .orElse(null));
  }

  /** Clicks the run's link in the list and waits for its page. */
  private static void open(final String runId) {
    wait(
        d -> {
          d.findElement(By.cssSelector("#runs tr[data-run='" + runId + "'] a.run-link")).click();
          return true;
        });
    visible(By.id("timeline"));
  }

  private static WebDriver driver() {
    return Chromium.driver();
  }

  private static Select select(final By by) {
    return new Select(visible(by));
  }

  private static WebElement visible(final By by) {
    return wait(ExpectedConditions.visibilityOfElementLocated(by));
  }

  private static <T> T wait(final Function<? super WebDriver, T> condition) {
    return new WebDriverWait(Chromium.driver(), TestApi.WAIT)
        .ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  private static Path tokensFile() {
    try {
      final Path file = Files.createTempFile("runledger-console-tokens", ".yaml");
      Files.delete(file);
      file.toFile().deleteOnExit();
      TokenFile.append(
          file,
          new TokenFile.Entry(
              TOKEN_NAME, TokenFile.sha256(TOKEN), Caller.Role.ADMIN, List.of(QUICK, SLOW)));
      return file;
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
