// The `webhook` preset, the default: the webhook TLS requirements stated as a policy.
//
// The requirements ask for TLS 1.2 or above with TLS 1.0 and 1.1 refused, at least one of 16
// listed suites, a valid and trusted certificate (the "must"s, which are errors here), and
// SNI and forward secrecy (the "should"s, warnings). What they imply for a sender that follows
// them also raises warnings: refusals without alerts, 64-bit block ciphers, a certificate about
// to expire. Rules for Mozilla's configurations are off: the requirements do not ask for them.

import type { Policy } from '../policy.js';
import { RULES, type RuleId, type RuleSetting } from '../rules.js';

/**
 * The required suites, in the order the requirements list them, which is also the order a
 * sender following the list offers them. The requirements write the two ChaCha20 suites
 * without their `_SHA256` suffix; the IANA names (RFC 7905) have it.
 */
export const WEBHOOK_LISTED_SUITES: readonly number[] = [
  0xc02b, // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  0xc02f, // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  0xc02c, // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  0xc030, // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
  0xcca9, // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
  0xcca8, // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
  0xc009, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
  0xc013, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
  0xc00a, // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
  0xc014, // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
  0x009c, // TLS_RSA_WITH_AES_128_GCM_SHA256
  0x009d, // TLS_RSA_WITH_AES_256_GCM_SHA384
  0x002f, // TLS_RSA_WITH_AES_128_CBC_SHA
  0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
  0xc012, // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
  0x000a, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
];

/** Rules that only Mozilla's configurations ask for. */
const MOZILLA_ONLY: readonly RuleId[] = [
  'suites.not-allowed',
  'kex.group-not-allowed',
  'certificate.key-type-not-allowed',
  'certificate.curve-not-allowed',
  'certificate.rsa-key-too-small',
  'certificate.signature-not-allowed',
  'certificate.lifespan-too-long',
  'certificate.no-ocsp-staple',
];

/** Every rule at its catalogue severity, with the Mozilla-only rules off. */
export function webhookSeverities(): Record<RuleId, RuleSetting> {
  const severities = {} as Record<RuleId, RuleSetting>;
  for (const entry of RULES) {
    severities[entry.id] = MOZILLA_ONLY.includes(entry.id) ? 'off' : entry.defaultSeverity;
  }
  return severities;
}

export function webhookPreset(): Policy {
  return {
    name: 'webhook',
    preset: 'webhook',
    failOn: 'error',
    minVersion: 'TLSv1.2',
    listedSuites: [...WEBHOOK_LISTED_SUITES],
    allowedSuites: null,
    allowedGroups: null,
    // The requirements say nothing of DH sizes; 2048 bits is where kex.weak-dh (a notice
    // here) starts, as in Mozilla's intermediate configuration.
    minDhBits: 2048,
    expiryWarningDays: 30,
    certificate: {
      keyTypes: null,
      curves: null,
      minRsaBits: null,
      signatures: null,
      maxLifespanDays: null,
      ocspStaple: false,
    },
    severities: webhookSeverities(),
    suppressions: [],
  };
}
