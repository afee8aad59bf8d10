package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingFilter;
import dev.runledger.avro.BindingScope;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.RunnerManifest;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Picks the binding that handles an event (ARCHITECTURE.md §6.2). Candidates are enabled bindings
 * whose event types match (exactly, {@code prefix.*}, or {@code *}), whose scope contains the event
 * and whose filters all pass. The most specific scope wins (thread &gt; conversation &gt; bot &gt;
 * workspace), then the highest priority; a remaining tie is rejected as {@value
 * Resolution#BINDING_AMBIGUOUS}; a winner without a runner manifest as {@value
 * Resolution#RUNNER_UNKNOWN}.
 *
 * <p>Filters compare the text of a dotted event field ({@link EventFields}): {@code eq} equals,
 * {@code prefix} starts with, {@code regex} finds the RE2/J regular expression anywhere in it
 * (anchor with {@code ^...$} for a whole-field match; see {@link RegexFilters} for the engine and
 * {@link FilterLimits} for its bounds). A missing field never passes. A regex that does not compile
 * or is over the limits never passes and is logged once. Compiled patterns are cached per instance,
 * so use one resolver per stream task, not a shared one.
 */
public final class BindingResolver {
  private final RegexFilters regexes;

  /** A resolver with the default {@link FilterLimits}. */
  public BindingResolver() {
    this(FilterLimits.defaults());
  }

  /** A resolver whose regex filters keep to {@code limits}. */
  public BindingResolver(final FilterLimits limits) {
    this.regexes = new RegexFilters(limits);
  }

  /** Resolves {@code event} against {@code bindings}, looking runners up in {@code manifests}. */
  public Resolution resolve(
      final HostEvent event,
      final Collection<AgentBinding> bindings,
      final Function<String, Optional<RunnerManifest>> manifests) {
    final Comparator<AgentBinding> precedence =
        Comparator.comparingInt((AgentBinding b) -> specificity(b.getScope()))
            .thenComparingInt(AgentBinding::getPriority)
            .reversed();
    final List<AgentBinding> candidates =
        bindings.stream()
            .filter(b -> b.getEnabled() && handles(b, event))
            .sorted(precedence.thenComparing(AgentBinding::getBindingId))
            .toList();
    if (candidates.isEmpty()) {
      return Resolution.noBinding();
    }
    final AgentBinding winner = candidates.get(0);
    if (candidates.size() > 1 && precedence.compare(winner, candidates.get(1)) == 0) {
      return Resolution.rejected(null, Resolution.BINDING_AMBIGUOUS);
    }
    return manifests
        .apply(winner.getRunnerId())
        .map(manifest -> Resolution.matched(winner, manifest))
        .orElseGet(() -> Resolution.rejected(winner, Resolution.RUNNER_UNKNOWN));
  }

  /** 3 for a thread scope, 2 conversation, 1 bot, 0 workspace. */
  static int specificity(final BindingScope scope) {
    if (scope.getThreadId() != null) {
      return 3;
    }
    if (scope.getConversationId() != null) {
      return 2;
    }
    return scope.getBotId() != null ? 1 : 0;
  }

  private boolean handles(final AgentBinding binding, final HostEvent event) {
    return typeMatches(binding.getEventTypes(), event.getEventType())
        && inScope(binding.getScope(), event)
        && binding.getFilters().stream().allMatch(f -> passes(binding, f, event));
  }

  static boolean typeMatches(final List<String> patterns, final String eventType) {
    return patterns.stream().anyMatch(p -> typeMatches(p, eventType));
  }

  private static boolean typeMatches(final String pattern, final String eventType) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.endsWith(".*")) {
      return eventType.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(eventType);
  }

  static boolean inScope(final BindingScope scope, final HostEvent event) {
    return scope.getWorkspaceId().equals(event.getWorkspaceId())
        && limits(scope.getBotId(), event.getBotId())
        && limits(scope.getConversationId(), event.getConversationId())
        && limits(scope.getThreadId(), event.getThreadId());
  }

  private static boolean limits(final String required, final String actual) {
    return required == null || required.equals(actual);
  }

  private boolean passes(
      final AgentBinding binding, final BindingFilter filter, final HostEvent event) {
    final Optional<String> value = EventFields.text(event, filter.getField());
    if (value.isEmpty()) {
      return false;
    }
    return switch (filter.getOp()) {
      case EQ -> value.get().equals(filter.getValue());
      case PREFIX -> value.get().startsWith(filter.getValue());
      case REGEX -> regexes.finds(binding.getBindingId(), filter.getValue(), value.get());
    };
  }
}
