package dev.runledger.projections.fold;

/** What the fold did with one ledger record. */
public enum FoldOutcome {
  /** Applied to the view and appended as an event. */
  APPLIED,
  /** A result of an unknown type: appended as an event, counted, not applied to the view. */
  UNKNOWN_RESULT,
  /** Same (attempt, sequence) as an applied record, or an older one: counted only. */
  DUPLICATE,
  /** From an attempt that can no longer be current: counted only. */
  FENCED,
  /** A terminal record after the run already ended: counted only. */
  LATE_TERMINAL,
  /** A result whose payload does not match its type: dropped and counted. */
  INVALID_RESULT;

  /** True when the record became an {@code AgentRunEvent}. */
  public boolean appended() {
    return this == APPLIED || this == UNKNOWN_RESULT;
  }
}
