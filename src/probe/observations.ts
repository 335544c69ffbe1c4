// The identifiers of the observations the probes attach to an address scan. The policy turns
// them into findings; they are stable, because reports and baselines keep them.

export const OBSERVATION = {
  /** A hello offering a version the server lacks fails instead of negotiating down. */
  versionIntolerance: 'version-intolerance',
  /** The server answered a version higher than the hello offered. */
  versionAboveOffered: 'version-above-offered',
  /** The server chose a suite the hello did not offer. */
  suiteNotOffered: 'suite-not-offered',
  /** Another reply that breaks the protocol (malformed, impossible suite for the version). */
  protocolViolation: 'protocol-violation',
  /** Hellos are refused by a TCP reset or a close instead of an alert. */
  refusalWithoutAlert: 'refusal-without-alert',
  /** TLS answers, but every suite of every version is refused. */
  noUsableSuite: 'no-usable-suite',
  /** The server's choices fit neither its own order nor the client's. */
  preferenceInconsistent: 'preference-inconsistent',
  /** Some probes were inconclusive, so a suite, group or order may be missing. */
  incomplete: 'incomplete',
  /** The endpoint's deadline passed before every probe ran. */
  deadlineReached: 'deadline-reached',
  /** A probe failed inside the tool; its outcome is inconclusive. */
  probeError: 'probe-error',
  /** The addresses of one hostname answer differently. */
  addressDifference: 'address-difference',
} as const;

export type ObservationId = (typeof OBSERVATION)[keyof typeof OBSERVATION];
