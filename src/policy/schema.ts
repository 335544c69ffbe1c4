// The JSON Schema of a policy file (YAML or JSON). Ajv checks files against it; the loader then
// resolves suite names and turns every error into a message naming the file, line and key.
//
// A policy file:
//
//   extends: webhook                # or mozilla-modern, mozilla-intermediate (default webhook)
//   name: payments webhooks         # shown in reports (default: the file's path)
//   fail-on: warning                # error (default), warning, notice, never
//   min-version: TLSv1.2
//   suites:                         # replaces the list; or { add: [...], remove: [...] }
//     - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
//   expiry-warning-days: 14
//   rules:
//     sni.not-honoured: off         # error, warning, notice, off
//   suppressions:
//     - id: certificate.expiring-soon
//       endpoint: "*.staging.example.com"
//       reason: staging certificates are renewed by hand
//       expires: 2026-06-30

import { TLS_VERSIONS } from '../model.js';
import { PRESET_NAMES } from './policy.js';
import { RULE_IDS } from './rules.js';

/** A suite by IANA or OpenSSL name, by hex code ("0xC02F"), or by number. */
const suiteReference = {
  type: ['string', 'integer'],
  minLength: 1,
  minimum: 0,
  maximum: 0xffff,
  description: 'A suite: IANA name, OpenSSL name, hex code such as 0xC02F, or number.',
};

const suiteArray = { type: 'array', items: suiteReference };

export const POLICY_SCHEMA = {
  $id: 'https://webhook-tls-probe.invalid/schema/policy.schema.json',
  title: 'webhook-tls-probe policy',
  type: 'object',
  additionalProperties: false,
  properties: {
    extends: {
      enum: [...PRESET_NAMES],
      description: 'The preset this policy changes.',
    },
    name: { type: 'string', minLength: 1, description: 'Shown in reports.' },
    'fail-on': {
      enum: ['error', 'warning', 'notice', 'never'],
      description: 'Lowest severity that fails the run.',
    },
    'min-version': {
      enum: TLS_VERSIONS.filter((version) => version !== 'SSLv3'),
      description: 'Lowest protocol version allowed; one version from here up is required.',
    },
    suites: {
      type: ['array', 'object'],
      description: "The required suites: a list replaces the preset's, add/remove change it.",
      minItems: 1,
      items: suiteReference,
      additionalProperties: false,
      properties: { add: suiteArray, remove: suiteArray },
    },
    'expiry-warning-days': {
      type: 'integer',
      minimum: 0,
      maximum: 3650,
      description: 'Warn when the certificate expires within this many days; 0 turns it off.',
    },
    rules: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        RULE_IDS.map((id) => [id, { enum: ['error', 'warning', 'notice', 'off'] }]),
      ),
    },
    suppressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'endpoint', 'reason'],
        properties: {
          id: { enum: [...RULE_IDS] },
          endpoint: { type: 'string', minLength: 1 },
          reason: { type: 'string', minLength: 1, pattern: '\\S' },
          expires: { type: 'string', anyOf: [{ format: 'date' }, { format: 'date-time' }] },
        },
      },
    },
  },
} as const;
