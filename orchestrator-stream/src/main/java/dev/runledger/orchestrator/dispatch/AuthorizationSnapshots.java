package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.ArtifactPermission;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.AvailableApis;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.EventPermission;
import dev.runledger.avro.HistoryPermission;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.ResourcePolicy;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.StatePermission;
import dev.runledger.avro.StoragePermission;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Computes what a run may touch, once, at creation (ARCHITECTURE.md §6.3): the runner manifest's
 * permissions ∩ the binding's resource policy ∩ the event's workspace/conversation scope. Nothing
 * is granted that one of the three does not allow:
 *
 * <ul>
 *   <li>models, tools, knowledge bases: the manifest's operations (minus {@code unknown}) apply to
 *       the ids the binding lists; either side empty grants nothing.
 *   <li>history: {@code page}/{@code search} over the binding's history scopes the event has
 *       ({@code conversation} needs a conversation, {@code thread} a thread too).
 *   <li>events: {@code get} as declared; {@code page} only for an event with a conversation.
 *   <li>artifacts: as declared.
 *   <li>storage areas and state scopes: declared ∩ the binding's lists; the {@code conversation},
 *       {@code actor} and {@code subject} state scopes need that part, with its id, in the event.
 * </ul>
 *
 * {@code available_apis} follow from the result; {@code steering_pull} needs a steering runner, a
 * conversation and the {@code steer} dispatch mode.
 */
final class AuthorizationSnapshots {
  private AuthorizationSnapshots() {}

  /** The snapshot of run {@code runId}, taken at {@code now}. */
  static AuthorizationSnapshot intersect(
      final RunnerManifest manifest,
      final AgentBinding binding,
      final HostEvent event,
      final String runId,
      final Instant now) {
    final Permissions declared = manifest.getPermissions();
    final ResourcePolicy policy = binding.getResourcePolicy();
    final boolean inConversation = event.getConversationId() != null;

    final List<String> models = ids(policy.getModels(), declared.getModels());
    final List<String> tools = ids(policy.getTools(), declared.getTools());
    final List<String> knowledgeBases =
        ids(policy.getKnowledgeBases(), declared.getKnowledgeBases());
    final List<String> historyScopes =
        ids(
            filter(policy.getHistoryScopes(), s -> historyScopeFits(s, event)),
            declared.getHistory());
    final List<StoragePermission> storage =
        known(declared.getStorage(), p -> listed(policy.getStorageAreas(), p));
    final List<StatePermission> state =
        known(
            declared.getState(),
            p -> listed(policy.getStateScopes(), p) && stateScopeFits(p, event));
    final Permissions granted =
        Permissions.newBuilder()
            .setModels(opsOn(models, declared.getModels()))
            .setTools(opsOn(tools, declared.getTools()))
            .setKnowledgeBases(opsOn(knowledgeBases, declared.getKnowledgeBases()))
            .setHistory(opsOn(historyScopes, declared.getHistory()))
            .setEvents(
                known(declared.getEvents(), p -> p != EventPermission.PAGE || inConversation))
            .setArtifacts(known(declared.getArtifacts(), p -> true))
            .setStorage(storage)
            .setState(state)
            .build();
    return AuthorizationSnapshot.newBuilder()
        .setRunId(runId)
        .setRunnerId(manifest.getRunnerId())
        .setBindingId(binding.getBindingId())
        .setWorkspaceId(event.getWorkspaceId())
        .setConversationId(event.getConversationId())
        .setPermissions(granted)
        .setModels(models)
        .setTools(tools)
        .setKnowledgeBases(knowledgeBases)
        .setHistoryScopes(historyScopes)
        .setStorageAreas(names(storage))
        .setStateScopes(names(state))
        .setAvailableApis(availableApis(granted, manifest, binding, inConversation))
        .setCreatedAt(now)
        .build();
  }

  private static AvailableApis availableApis(
      final Permissions granted,
      final RunnerManifest manifest,
      final AgentBinding binding,
      final boolean inConversation) {
    return AvailableApis.newBuilder()
        .setHistoryPage(granted.getHistory().contains(HistoryPermission.PAGE))
        .setHistorySearch(granted.getHistory().contains(HistoryPermission.SEARCH))
        .setEventGet(granted.getEvents().contains(EventPermission.GET))
        .setEventPage(granted.getEvents().contains(EventPermission.PAGE))
        .setArtifactMetadata(granted.getArtifacts().contains(ArtifactPermission.METADATA))
        .setArtifactRead(granted.getArtifacts().contains(ArtifactPermission.READ))
        .setState(!granted.getState().isEmpty())
        .setStorage(!granted.getStorage().isEmpty())
        .setSteeringPull(
            inConversation
                && manifest.getCapabilities().getSteering()
                && DispatchModes.effective(binding, manifest) == DispatchMode.STEER)
        .build();
  }

  /** The binding's ids when the manifest declares at least one known operation on them. */
  private static <E extends Enum<E>> List<String> ids(
      final List<String> allowed, final List<E> declared) {
    return known(declared, p -> true).isEmpty() ? List.of() : distinct(allowed);
  }

  /** The declared operations when there is something to apply them to, else none. */
  private static <E extends Enum<E>> List<E> opsOn(final List<String> ids, final List<E> declared) {
    return ids.isEmpty() ? List.of() : known(declared, p -> true);
  }

  /** Declared permissions other than {@code UNKNOWN} that pass {@code keep}, without repeats. */
  private static <E extends Enum<E>> List<E> known(
      final List<E> declared, final Predicate<E> keep) {
    return declared.stream()
        .filter(p -> !p.name().equals("UNKNOWN"))
        .filter(keep)
        .distinct()
        .toList();
  }

  private static List<String> distinct(final List<String> values) {
    return List.copyOf(new LinkedHashSet<>(values));
  }

  private static List<String> filter(final List<String> values, final Predicate<String> keep) {
    return values.stream().filter(keep).toList();
  }

  private static boolean listed(final List<String> names, final Enum<?> permission) {
    return names.contains(name(permission));
  }

  private static String name(final Enum<?> permission) {
    return permission.name().toLowerCase(Locale.ROOT);
  }

  private static <E extends Enum<E>> List<String> names(final List<E> permissions) {
    return permissions.stream().map(AuthorizationSnapshots::name).toList();
  }

  private static boolean historyScopeFits(final String scope, final HostEvent event) {
    return switch (scope) {
      case "conversation" -> event.getConversationId() != null;
      case "thread" -> event.getConversationId() != null && event.getThreadId() != null;
      default -> false;
    };
  }

  private static boolean stateScopeFits(final StatePermission scope, final HostEvent event) {
    return switch (scope) {
      case CONVERSATION -> event.getConversationId() != null;
      case ACTOR -> event.getActor() != null && event.getActor().getActorId() != null;
      case SUBJECT -> event.getSubject() != null && event.getSubject().getSubjectId() != null;
      case RUNNER, BINDING -> true;
      case UNKNOWN -> false;
    };
  }
}
