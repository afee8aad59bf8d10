package dev.runledger.orchestrator.dispatch;

import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.ArtifactPermission;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.AvailableApis;
import dev.runledger.avro.Capabilities;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.DispatchPolicy;
import dev.runledger.avro.EventPermission;
import dev.runledger.avro.HistoryPermission;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.KnowledgePermission;
import dev.runledger.avro.ModelPermission;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.ResourcePolicy;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.StatePermission;
import dev.runledger.avro.StoragePermission;
import dev.runledger.avro.Subject;
import dev.runledger.avro.ToolPermission;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;

class AuthorizationSnapshotsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:05Z");

  private static final Permissions EVERYTHING =
      Permissions.newBuilder()
          .setModels(List.of(ModelPermission.INVOKE, ModelPermission.STREAM))
          .setTools(List.of(ToolPermission.CALL))
          .setKnowledgeBases(List.of(KnowledgePermission.RETRIEVE))
          .setHistory(List.of(HistoryPermission.PAGE, HistoryPermission.SEARCH))
          .setEvents(List.of(EventPermission.GET, EventPermission.PAGE))
          .setArtifacts(List.of(ArtifactPermission.METADATA, ArtifactPermission.READ))
          .setStorage(List.of(StoragePermission.PLUGIN, StoragePermission.WORKSPACE))
          .setState(List.of(StatePermission.values()))
          .build();

  private static final ResourcePolicy GENEROUS =
      ResourcePolicy.newBuilder()
          .setModels(List.of("gpt", "claude"))
          .setTools(List.of("search"))
          .setKnowledgeBases(List.of("kb1"))
          .setHistoryScopes(List.of("conversation", "thread"))
          .setStorageAreas(List.of("plugin", "workspace"))
          .setStateScopes(List.of("conversation", "actor", "subject", "runner", "binding"))
          .build();

  private static RunnerManifest manifestWith(final Permissions permissions) {
    return manifest(ECHO, "default").setPermissions(permissions).build();
  }

  private static AgentBinding bindingWith(final ResourcePolicy policy) {
    return binding("b1", ECHO).setResourcePolicy(policy).build();
  }

  private static AuthorizationSnapshot snapshot(
      final RunnerManifest manifest, final AgentBinding binding, final HostEvent event) {
    return AuthorizationSnapshots.intersect(manifest, binding, event, "run_1", NOW);
  }

  @Test
  void shouldGrantNothingWhenTheManifestDeclaresNothing() {
    // given a binding that allows everything and a runner that asks for nothing
    final RunnerManifest bare = manifestWith(Permissions.newBuilder().build());

    // when
    final AuthorizationSnapshot snapshot =
        snapshot(bare, bindingWith(GENEROUS), event("e1").build());

    // then
    assertThat(snapshot.getModels()).isEmpty();
    assertThat(snapshot.getTools()).isEmpty();
    assertThat(snapshot.getKnowledgeBases()).isEmpty();
    assertThat(snapshot.getHistoryScopes()).isEmpty();
    assertThat(snapshot.getStorageAreas()).isEmpty();
    assertThat(snapshot.getStateScopes()).isEmpty();
    assertThat(snapshot.getPermissions()).isEqualTo(Permissions.newBuilder().build());
    assertThat(snapshot.getAvailableApis()).isEqualTo(AvailableApis.newBuilder().build());
  }

  @Test
  void shouldGrantOnlyArtifactsAndEventsWhenTheBindingAllowsNoResources() {
    // given a runner that asks for everything and a binding that lists no resources
    final AuthorizationSnapshot snapshot =
        snapshot(
            manifestWith(EVERYTHING),
            bindingWith(ResourcePolicy.newBuilder().build()),
            event("e1").build());

    // then: resource-bound permissions are gone, event and artifact reads stay
    assertThat(snapshot.getPermissions().getModels()).isEmpty();
    assertThat(snapshot.getPermissions().getTools()).isEmpty();
    assertThat(snapshot.getPermissions().getHistory()).isEmpty();
    assertThat(snapshot.getPermissions().getStorage()).isEmpty();
    assertThat(snapshot.getPermissions().getState()).isEmpty();
    assertThat(snapshot.getPermissions().getEvents())
        .containsExactly(EventPermission.GET, EventPermission.PAGE);
    final AvailableApis apis = snapshot.getAvailableApis();
    assertThat(apis.getHistoryPage()).isFalse();
    assertThat(apis.getState()).isFalse();
    assertThat(apis.getStorage()).isFalse();
    assertThat(apis.getEventGet()).isTrue();
    assertThat(apis.getArtifactRead()).isTrue();
  }

  @Test
  void shouldIntersectEverythingWhenBothSidesAllowIt() {
    // when
    final AuthorizationSnapshot snapshot =
        snapshot(
            manifestWith(EVERYTHING), bindingWith(GENEROUS), event("e1").setThreadId("t1").build());

    // then
    assertThat(snapshot.getRunId()).isEqualTo("run_1");
    assertThat(snapshot.getRunnerId()).isEqualTo(ECHO);
    assertThat(snapshot.getBindingId()).isEqualTo("b1");
    assertThat(snapshot.getWorkspaceId()).isEqualTo("ws1");
    assertThat(snapshot.getConversationId()).isEqualTo("c1");
    assertThat(snapshot.getCreatedAt()).isEqualTo(NOW);
    assertThat(snapshot.getModels()).containsExactly("gpt", "claude");
    assertThat(snapshot.getTools()).containsExactly("search");
    assertThat(snapshot.getKnowledgeBases()).containsExactly("kb1");
    assertThat(snapshot.getHistoryScopes()).containsExactly("conversation", "thread");
    assertThat(snapshot.getStorageAreas()).containsExactly("plugin", "workspace");
    assertThat(snapshot.getStateScopes())
        .containsExactly("conversation", "actor", "runner", "binding");
    assertThat(snapshot.getPermissions().getModels())
        .containsExactly(ModelPermission.INVOKE, ModelPermission.STREAM);
    final AvailableApis apis = snapshot.getAvailableApis();
    assertThat(apis.getHistoryPage()).isTrue();
    assertThat(apis.getHistorySearch()).isTrue();
    assertThat(apis.getEventGet()).isTrue();
    assertThat(apis.getEventPage()).isTrue();
    assertThat(apis.getArtifactMetadata()).isTrue();
    assertThat(apis.getArtifactRead()).isTrue();
    assertThat(apis.getState()).isTrue();
    assertThat(apis.getStorage()).isTrue();
  }

  @Test
  void shouldKeepOnlyTheStorageAreasAndStateScopesBothSidesName() {
    // given
    final Permissions declared =
        Permissions.newBuilder()
            .setStorage(List.of(StoragePermission.PLUGIN))
            .setState(List.of(StatePermission.CONVERSATION, StatePermission.RUNNER))
            .build();
    final ResourcePolicy policy =
        ResourcePolicy.newBuilder()
            .setStorageAreas(List.of("workspace", "plugin"))
            .setStateScopes(List.of("runner", "binding"))
            .build();

    // when
    final AuthorizationSnapshot snapshot =
        snapshot(manifestWith(declared), bindingWith(policy), event("e1").build());

    // then
    assertThat(snapshot.getStorageAreas()).containsExactly("plugin");
    assertThat(snapshot.getStateScopes()).containsExactly("runner");
    assertThat(snapshot.getPermissions().getState()).containsExactly(StatePermission.RUNNER);
  }

  @Test
  void shouldDropConversationScopedAccessWhenTheEventHasNoConversation() {
    // given a scheduled event outside any conversation
    final HostEvent scheduled =
        event("e1").setEventType("schedule.triggered").setConversationId(null).build();

    // when
    final AuthorizationSnapshot snapshot =
        snapshot(manifestWith(EVERYTHING), bindingWith(GENEROUS), scheduled);

    // then
    assertThat(snapshot.getConversationId()).isNull();
    assertThat(snapshot.getHistoryScopes()).isEmpty();
    assertThat(snapshot.getPermissions().getHistory()).isEmpty();
    assertThat(snapshot.getPermissions().getEvents()).containsExactly(EventPermission.GET);
    assertThat(snapshot.getStateScopes()).doesNotContain("conversation");
    final AvailableApis apis = snapshot.getAvailableApis();
    assertThat(apis.getHistoryPage()).isFalse();
    assertThat(apis.getHistorySearch()).isFalse();
    assertThat(apis.getEventPage()).isFalse();
    assertThat(apis.getEventGet()).isTrue();
  }

  @Test
  void shouldAllowTheThreadHistoryScopeOnlyForAnEventInAThread() {
    final AuthorizationSnapshot snapshot =
        snapshot(manifestWith(EVERYTHING), bindingWith(GENEROUS), event("e1").build());

    assertThat(snapshot.getHistoryScopes()).containsExactly("conversation");
  }

  @Test
  void shouldOfferHistoryPageOnlyWhenThePageOperationIsDeclared() {
    final Permissions searchOnly =
        Permissions.newBuilder().setHistory(List.of(HistoryPermission.SEARCH)).build();

    final AvailableApis apis =
        snapshot(manifestWith(searchOnly), bindingWith(GENEROUS), event("e1").build())
            .getAvailableApis();

    assertThat(apis.getHistoryPage()).isFalse();
    assertThat(apis.getHistorySearch()).isTrue();
  }

  @Test
  void shouldGrantActorAndSubjectStateOnlyWhenTheEventIdentifiesThem() {
    // given
    final HostEvent anonymous = event("e1").setActor(null).build();
    final HostEvent aboutSubject =
        event("e2")
            .setSubject(Subject.newBuilder().setSubjectType("member").setSubjectId("m1").build())
            .build();

    // when
    final List<String> anonymousScopes =
        snapshot(manifestWith(EVERYTHING), bindingWith(GENEROUS), anonymous).getStateScopes();
    final List<String> subjectScopes =
        snapshot(manifestWith(EVERYTHING), bindingWith(GENEROUS), aboutSubject).getStateScopes();

    // then
    assertThat(anonymousScopes).containsExactly("conversation", "runner", "binding");
    assertThat(subjectScopes)
        .containsExactly("conversation", "actor", "subject", "runner", "binding");
  }

  @Test
  void shouldIgnoreUnknownPermissionSymbols() {
    final Permissions unknown =
        Permissions.newBuilder()
            .setModels(List.of(ModelPermission.UNKNOWN))
            .setArtifacts(List.of(ArtifactPermission.UNKNOWN))
            .build();

    final AuthorizationSnapshot snapshot =
        snapshot(manifestWith(unknown), bindingWith(GENEROUS), event("e1").build());

    assertThat(snapshot.getModels()).isEmpty();
    assertThat(snapshot.getPermissions().getModels()).isEmpty();
    assertThat(snapshot.getAvailableApis().getArtifactMetadata()).isFalse();
  }

  @Test
  void shouldOfferSteeringPullOnlyToASteeringRunnerInAConversationInSteerMode() {
    // given
    final RunnerManifest steering =
        manifest(ECHO, "default")
            .setCapabilities(Capabilities.newBuilder().setSteering(true).build())
            .build();
    final AgentBinding defaultMode = binding("b1", ECHO).build();
    final AgentBinding parallel =
        binding("b2", ECHO)
            .setDispatchPolicy(DispatchPolicy.newBuilder().setMode(DispatchMode.PARALLEL).build())
            .build();
    final HostEvent inConversation = event("e1").build();
    final HostEvent noConversation = event("e2").setConversationId(null).build();

    // then
    assertThat(pull(steering, defaultMode, inConversation)).isTrue();
    assertThat(pull(steering, parallel, inConversation)).isFalse();
    assertThat(pull(steering, defaultMode, noConversation)).isFalse();
    assertThat(pull(manifest(ECHO, "default").build(), defaultMode, inConversation)).isFalse();
  }

  private static boolean pull(
      final RunnerManifest manifest, final AgentBinding binding, final HostEvent event) {
    return snapshot(manifest, binding, event).getAvailableApis().getSteeringPull();
  }

  private static final ResourcePolicy NO_RESOURCES = ResourcePolicy.newBuilder().build();

  /** An event in a thread, so that every history scope fits. */
  private static final HostEvent IN_THREAD = event("e1").setThreadId("t1").build();

  /** An event in a conversation about a subject, so that every state scope fits. */
  private static final HostEvent ABOUT_SUBJECT =
      event("e1")
          .setSubject(Subject.newBuilder().setSubjectType("ticket").setSubjectId("s1").build())
          .build();

  private static final HostEvent IN_CONVERSATION = event("e1").build();
  private static final HostEvent ALONE = event("e2").setConversationId(null).build();

  private static String lower(final Enum<?> symbol) {
    return symbol.name().toLowerCase(Locale.ROOT);
  }

  @ParameterizedTest
  @EnumSource(value = ModelPermission.class, mode = Mode.EXCLUDE, names = "UNKNOWN")
  void shouldGrantEachModelOperationOnlyWhenTheBindingNamesModels(final ModelPermission op) {
    final Permissions declared = Permissions.newBuilder().setModels(List.of(op)).build();
    final AuthorizationSnapshot granted =
        snapshot(manifestWith(declared), bindingWith(GENEROUS), IN_THREAD);
    final AuthorizationSnapshot empty =
        snapshot(manifestWith(declared), bindingWith(NO_RESOURCES), IN_THREAD);
    assertThat(granted.getPermissions().getModels()).as("%s", op).containsExactly(op);
    assertThat(granted.getModels()).containsExactly("gpt", "claude");
    assertThat(empty.getPermissions().getModels()).as("%s", op).isEmpty();
    assertThat(empty.getModels()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = ToolPermission.class, mode = Mode.EXCLUDE, names = "UNKNOWN")
  void shouldGrantEachToolOperationOnlyWhenTheBindingNamesTools(final ToolPermission op) {
    final Permissions declared = Permissions.newBuilder().setTools(List.of(op)).build();
    assertThat(
            snapshot(manifestWith(declared), bindingWith(GENEROUS), IN_THREAD)
                .getPermissions()
                .getTools())
        .as("%s", op)
        .containsExactly(op);
    assertThat(snapshot(manifestWith(declared), bindingWith(NO_RESOURCES), IN_THREAD).getTools())
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = KnowledgePermission.class, mode = Mode.EXCLUDE, names = "UNKNOWN")
  void shouldGrantEachKnowledgeOperationOnlyWhenTheBindingNamesKnowledgeBases(
      final KnowledgePermission op) {
    final Permissions declared = Permissions.newBuilder().setKnowledgeBases(List.of(op)).build();
    assertThat(
            snapshot(manifestWith(declared), bindingWith(GENEROUS), IN_THREAD)
                .getPermissions()
                .getKnowledgeBases())
        .as("%s", op)
        .containsExactly(op);
    assertThat(
            snapshot(manifestWith(declared), bindingWith(NO_RESOURCES), IN_THREAD)
                .getKnowledgeBases())
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = HistoryPermission.class, mode = Mode.EXCLUDE, names = "UNKNOWN")
  void shouldGrantEachHistoryOperationOnlyWhenTheBindingNamesHistoryScopes(
      final HistoryPermission op) {
    final Permissions declared = Permissions.newBuilder().setHistory(List.of(op)).build();
    final AuthorizationSnapshot granted =
        snapshot(manifestWith(declared), bindingWith(GENEROUS), IN_THREAD);
    assertThat(granted.getPermissions().getHistory()).as("%s", op).containsExactly(op);
    assertThat(granted.getHistoryScopes()).containsExactly("conversation", "thread");
    assertThat(
            snapshot(manifestWith(declared), bindingWith(NO_RESOURCES), IN_THREAD)
                .getPermissions()
                .getHistory())
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = EventPermission.class, mode = Mode.EXCLUDE, names = "UNKNOWN")
  void shouldGrantEachEventOperationAsDeclaredAndPagingOnlyInAConversation(
      final EventPermission op) {
    final RunnerManifest manifest =
        manifestWith(Permissions.newBuilder().setEvents(List.of(op)).build());
    final AgentBinding nothing = bindingWith(NO_RESOURCES);
    assertThat(snapshot(manifest, nothing, IN_CONVERSATION).getPermissions().getEvents())
        .as("%s", op)
        .containsExactly(op);
    assertThat(snapshot(manifest, nothing, ALONE).getPermissions().getEvents())
        .as("%s without a conversation", op)
        .isEqualTo(op == EventPermission.PAGE ? List.of() : List.of(op));
  }

  @ParameterizedTest
  @EnumSource(value = ArtifactPermission.class, mode = Mode.EXCLUDE, names = "UNKNOWN")
  void shouldGrantEachArtifactOperationAsDeclared(final ArtifactPermission op) {
    final RunnerManifest manifest =
        manifestWith(Permissions.newBuilder().setArtifacts(List.of(op)).build());
    assertThat(snapshot(manifest, bindingWith(NO_RESOURCES), ALONE).getPermissions().getArtifacts())
        .as("%s", op)
        .containsExactly(op);
  }

  @ParameterizedTest
  @EnumSource(value = StoragePermission.class, mode = Mode.EXCLUDE, names = "UNKNOWN")
  void shouldGrantEachStorageAreaOnlyWhenBothSidesNameIt(final StoragePermission area) {
    final RunnerManifest manifest =
        manifestWith(Permissions.newBuilder().setStorage(List.of(area)).build());
    final String name = lower(area);
    assertThat(
            snapshot(
                    manifest,
                    bindingWith(ResourcePolicy.newBuilder().setStorageAreas(List.of(name)).build()),
                    ABOUT_SUBJECT)
                .getStorageAreas())
        .as("%s", area)
        .containsExactly(name);
    assertThat(snapshot(manifest, bindingWith(NO_RESOURCES), ABOUT_SUBJECT).getStorageAreas())
        .as("%s not in the binding", area)
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = StatePermission.class, mode = Mode.EXCLUDE, names = "UNKNOWN")
  void shouldGrantEachStateScopeOnlyWhenBothSidesNameIt(final StatePermission scope) {
    final RunnerManifest manifest =
        manifestWith(Permissions.newBuilder().setState(List.of(scope)).build());
    final String name = lower(scope);
    final AuthorizationSnapshot granted =
        snapshot(
            manifest,
            bindingWith(ResourcePolicy.newBuilder().setStateScopes(List.of(name)).build()),
            ABOUT_SUBJECT);
    assertThat(granted.getStateScopes()).as("%s", scope).containsExactly(name);
    assertThat(granted.getAvailableApis().getState()).isTrue();
    assertThat(snapshot(manifest, bindingWith(NO_RESOURCES), ABOUT_SUBJECT).getStateScopes())
        .as("%s not in the binding", scope)
        .isEmpty();
  }

  @Test
  void shouldGrantNothingForScopesAndAreasOutsideTheKnownOnes() {
    // given: the binding names areas and scopes beyond the workspace/conversation model
    final ResourcePolicy outside =
        ResourcePolicy.newBuilder()
            .setHistoryScopes(List.of("workspace", "global"))
            .setStorageAreas(List.of("global", "tenant"))
            .setStateScopes(List.of("workspace", "tenant"))
            .build();

    // when
    final AuthorizationSnapshot snapshot =
        snapshot(manifestWith(EVERYTHING), bindingWith(outside), event("e1").build());

    // then
    assertThat(snapshot.getHistoryScopes()).isEmpty();
    assertThat(snapshot.getPermissions().getHistory()).isEmpty();
    assertThat(snapshot.getStorageAreas()).isEmpty();
    assertThat(snapshot.getStateScopes()).isEmpty();
    assertThat(snapshot.getAvailableApis().getHistoryPage()).isFalse();
    assertThat(snapshot.getAvailableApis().getStorage()).isFalse();
    assertThat(snapshot.getAvailableApis().getState()).isFalse();
  }

  @Test
  void shouldPinTheSnapshotToTheEventsWorkspaceAndConversation() {
    // given: a workspace-wide binding
    final AgentBinding wide = bindingWith(GENEROUS);

    // when
    final AuthorizationSnapshot first =
        snapshot(manifestWith(EVERYTHING), wide, event("e1").setConversationId("c1").build());
    final AuthorizationSnapshot second =
        snapshot(manifestWith(EVERYTHING), wide, event("e2").setConversationId("c2").build());

    // then: each run may touch only its own event's workspace and conversation
    assertThat(first.getWorkspaceId()).isEqualTo(Fixtures.WORKSPACE);
    assertThat(first.getConversationId()).isEqualTo("c1");
    assertThat(second.getConversationId()).isEqualTo("c2");
    assertThat(first.getBindingId()).isEqualTo("b1");
    assertThat(first.getRunId()).isEqualTo("run_1");
  }

  @Test
  void shouldListEachGrantOnceWhenEitherSideRepeatsIt() {
    // given
    final Permissions repeated =
        Permissions.newBuilder()
            .setModels(List.of(ModelPermission.INVOKE, ModelPermission.INVOKE))
            .setState(List.of(StatePermission.RUNNER, StatePermission.RUNNER))
            .build();
    final ResourcePolicy policy =
        ResourcePolicy.newBuilder()
            .setModels(List.of("gpt", "gpt"))
            .setStateScopes(List.of("runner", "runner"))
            .build();

    // when
    final AuthorizationSnapshot snapshot =
        snapshot(manifestWith(repeated), bindingWith(policy), event("e1").build());

    // then
    assertThat(snapshot.getModels()).containsExactly("gpt");
    assertThat(snapshot.getPermissions().getModels()).containsExactly(ModelPermission.INVOKE);
    assertThat(snapshot.getStateScopes()).containsExactly("runner");
  }
}
