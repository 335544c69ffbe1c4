// The shape of a policy: what an endpoint must satisfy and how strict each rule is. A policy is
// a preset (src/policy/presets) possibly changed by a policy file (src/policy/load.ts); the
// evaluator (src/policy/evaluate.ts) reads nothing else.

import type { Severity, TlsVersion } from '../model.js';
import type { RuleId, RuleSetting } from './rules.js';

export const PRESET_NAMES = ['webhook', 'mozilla-modern', 'mozilla-intermediate'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export type FailOn = Severity | 'never';

/** What the policy asks of the leaf certificate beyond validity; null means no constraint. */
export interface CertificateConstraints {
  /** Key types allowed for the leaf. */
  keyTypes: ('RSA' | 'EC')[] | null;
  /** Curves allowed for an EC leaf, as the certificate layer names them (P-256, P-384). */
  curves: string[] | null;
  minRsaBits: number | null;
  /** Signature algorithms allowed for the leaf (sha256WithRSAEncryption, ecdsa-with-SHA256). */
  signatures: string[] | null;
  /** Longest validity period from notBefore to notAfter, in days. */
  maxLifespanDays: number | null;
  /** Whether a missing OCSP staple is worth a finding. */
  ocspStaple: boolean;
}

/** One suppression from a policy file: a finding the user has decided to live with. */
export interface Suppression {
  id: RuleId;
  /** Glob over the endpoint as written, its host, or host:port; `*` matches any characters. */
  endpoint: string;
  reason: string;
  /** YYYY-MM-DD (the whole day included) or an ISO date-time. */
  expires?: string;
  /** Where the suppression was written, for messages. */
  source?: { file: string; line: number };
}

export interface Policy {
  /** The preset name, or the policy file's `name` (its path when it has none). */
  name: string;
  /** The preset the policy starts from. */
  preset: PresetName;
  /** The policy file, when one was loaded. */
  file?: string;
  failOn: FailOn;
  /** Lowest version allowed; at least one version from here up must be accepted. */
  minVersion: TlsVersion;
  /** At least one of these suites must be accepted; the sender probe offers them in order. */
  listedSuites: number[];
  /** When set, every accepted suite must be one of these (Mozilla); null: any suite may be. */
  allowedSuites: number[] | null;
  /** When set, accepted key exchange groups must be among these. */
  allowedGroups: number[] | null;
  /** Smallest finite-field DH group accepted with DHE suites, in bits. */
  minDhBits: number;
  /** Days before expiry from which a certificate raises a warning; 0 turns it off. */
  expiryWarningDays: number;
  certificate: CertificateConstraints;
  /** Severity of every rule; 'off' rules raise no finding. */
  severities: Record<RuleId, RuleSetting>;
  suppressions: Suppression[];
}
