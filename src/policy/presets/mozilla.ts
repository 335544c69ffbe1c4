// The `mozilla-modern` and `mozilla-intermediate` presets: Mozilla's Server Side TLS
// recommendations as policies.
//
// The data below is Mozilla's machine-readable guidelines, version 6.0
// (https://ssl-config.mozilla.org/guidelines/6.0.json), copied field for field for what a probe
// can check. Left out: hsts_min_age (HTTP, not TLS), oldest_clients and
// recommended_certificate_lifespan (advice, not a limit). server_preferred_order is kept as data
// but not checked: it says what to configure, and either order is safe with these suites.

import type { TlsVersion } from '../../model.js';
import { GROUPS } from '../../wire/groups.js';
import { suiteByName } from '../../wire/suites.js';
import type { Policy } from '../policy.js';
import { RULES, type RuleId, type RuleSetting } from '../rules.js';

export interface MozillaConfiguration {
  certificate_curves: string[];
  certificate_signatures: string[];
  certificate_types: string[];
  ciphers: { iana: string[] };
  ciphersuites: string[];
  dh_param_size: number | null;
  ecdh_param_size: number;
  maximum_certificate_lifespan: number;
  ocsp_staple: boolean;
  rsa_key_size: number | null;
  server_preferred_order: boolean;
  tls_curves: string[];
  tls_versions: string[];
}

export const MOZILLA_GUIDELINES_VERSION = '6.0';

export const MOZILLA_CONFIGURATIONS: Record<'modern' | 'intermediate', MozillaConfiguration> = {
  modern: {
    certificate_curves: ['prime256v1', 'secp384r1'],
    certificate_signatures: ['ecdsa-with-SHA256', 'ecdsa-with-SHA384', 'ecdsa-with-SHA512'],
    certificate_types: ['ecdsa'],
    ciphers: { iana: [] },
    ciphersuites: [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
    ],
    dh_param_size: null,
    ecdh_param_size: 256,
    maximum_certificate_lifespan: 90,
    ocsp_staple: true,
    rsa_key_size: null,
    server_preferred_order: false,
    tls_curves: ['X25519MLKEM768', 'X25519', 'prime256v1', 'secp384r1'],
    tls_versions: ['TLSv1.3'],
  },
  intermediate: {
    certificate_curves: ['prime256v1', 'secp384r1'],
    certificate_signatures: [
      'sha256WithRSAEncryption',
      'ecdsa-with-SHA256',
      'ecdsa-with-SHA384',
      'ecdsa-with-SHA512',
    ],
    certificate_types: ['ecdsa', 'rsa'],
    ciphers: {
      iana: [
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
        'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      ],
    },
    ciphersuites: [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
    ],
    dh_param_size: 2048,
    ecdh_param_size: 256,
    maximum_certificate_lifespan: 366,
    ocsp_staple: true,
    rsa_key_size: 2048,
    server_preferred_order: false,
    tls_curves: ['X25519MLKEM768', 'X25519', 'prime256v1', 'secp384r1'],
    tls_versions: ['TLSv1.2', 'TLSv1.3'],
  },
};

// Mozilla writes curves as OpenSSL does; the groups registry (src/wire/groups.ts) uses IANA
// names, and the certificate layer NIST names (P-256).
const OPENSSL_GROUP_ALIASES: Record<string, string> = { prime256v1: 'secp256r1' };
const CERTIFICATE_CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};
const CERTIFICATE_TYPES: Record<string, 'RSA' | 'EC'> = { rsa: 'RSA', ecdsa: 'EC' };

function groupCode(name: string): number {
  const iana = (OPENSSL_GROUP_ALIASES[name] ?? name).toLowerCase();
  const group = GROUPS.find((entry) => entry.name.toLowerCase() === iana);
  if (!group) {
    throw new Error(`Mozilla preset names an unknown group: ${name}`);
  }
  return group.code;
}

function suiteCode(name: string): number {
  const suite = suiteByName(name);
  if (!suite) {
    throw new Error(`Mozilla preset names an unknown suite: ${name}`);
  }
  return suite.code;
}

function lowestVersion(versions: string[]): TlsVersion {
  const order: TlsVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const lowest = order.find((version) => versions.includes(version));
  if (!lowest) {
    throw new Error(`Mozilla preset names no known version: ${versions.join(', ')}`);
  }
  return lowest;
}

function mozillaSeverities(): Record<RuleId, RuleSetting> {
  const severities = {} as Record<RuleId, RuleSetting>;
  for (const entry of RULES) {
    severities[entry.id] = entry.defaultSeverity;
  }
  // dh_param_size is a stated size in Mozilla's configurations, not a side remark.
  severities['kex.weak-dh'] = 'error';
  return severities;
}

/** A policy from one of Mozilla's configurations. */
export function mozillaPreset(level: 'modern' | 'intermediate'): Policy {
  const configuration = MOZILLA_CONFIGURATIONS[level];
  const suites = [...configuration.ciphers.iana, ...configuration.ciphersuites].map(suiteCode);

  return {
    name: `mozilla-${level}`,
    preset: `mozilla-${level}`,
    failOn: 'error',
    minVersion: lowestVersion(configuration.tls_versions),
    listedSuites: suites,
    allowedSuites: [...suites],
    allowedGroups: configuration.tls_curves.map(groupCode),
    minDhBits: configuration.dh_param_size ?? 2048,
    expiryWarningDays: 30,
    certificate: {
      keyTypes: configuration.certificate_types.map((type) => CERTIFICATE_TYPES[type]),
      curves: configuration.certificate_curves.map((curve) => CERTIFICATE_CURVE_NAMES[curve]),
      minRsaBits: configuration.rsa_key_size,
      signatures: [...configuration.certificate_signatures],
      maxLifespanDays: configuration.maximum_certificate_lifespan,
      ocspStaple: configuration.ocsp_staple,
    },
    severities: mozillaSeverities(),
    suppressions: [],
  };
}
