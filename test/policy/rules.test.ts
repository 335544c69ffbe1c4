// From scans to findings, rule by rule and preset by preset. Each row states a server set-up (as
// the scan data a correct probe reports for it) and the findings it must raise, with their
// severity and the words the evidence must contain; rows also say which findings must not
// appear. The last test checks that the rows together raise every rule of the catalogue.

import { describe, expect, it } from 'vitest';
import type { EndpointScan, Severity, Verdict } from '../../src/model.js';
import {
  evaluate,
  failsPolicy,
  type PresetName,
  presetPolicy,
  RULE_IDS,
  unusedSuppressions,
} from '../../src/policy/index.js';
import {
  accepted,
  address,
  alert,
  certificate,
  certificates,
  chain,
  closed,
  code,
  intermediate,
  isoDaysFromNow,
  NOW,
  notScanned,
  reset,
  scan,
  sniBehaviour,
  timeout,
} from './fixtures.js';

interface Expected {
  id: string;
  severity: Severity;
  /** Fragments the evidence (observed) must contain. */
  says?: string[];
  expects?: string[];
  /** Fragments the fix (remediation summary) must contain. */
  fixes?: string[];
}

interface Row {
  name: string;
  scan: EndpointScan;
  preset?: PresetName;
  findings: Expected[];
  /** Rule identifiers that must not be raised. */
  absent?: string[];
  /** When true, the findings listed are all the findings. */
  only?: boolean;
  verdict?: Verdict;
}

const ECDHE_RSA_128 = code('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
const ECDHE_RSA_256 = code('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
const ECDHE_ECDSA_256 = code('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
const RSA_128_GCM = code('TLS_RSA_WITH_AES_128_GCM_SHA256');
const RSA_256_GCM = code('TLS_RSA_WITH_AES_256_GCM_SHA384');
const RSA_128_CBC = code('TLS_RSA_WITH_AES_128_CBC_SHA');
const RSA_256_CBC = code('TLS_RSA_WITH_AES_256_CBC_SHA');
const RSA_3DES = code('TLS_RSA_WITH_3DES_EDE_CBC_SHA');
const RSA_RC4 = code('TLS_RSA_WITH_RC4_128_SHA');
const DHE_RSA_256 = code('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384');
const TLS13_128 = code('TLS_AES_128_GCM_SHA256');
const TLS13_256 = code('TLS_AES_256_GCM_SHA384');

const problem = (code: string, detail: string, certificate?: number) =>
  ({ code, detail, ...(certificate !== undefined ? { certificate } : {}) }) as never;

/** Every hello refused with unrecognized_name, as nginx's ssl_reject_handshake does (case 11). */
const refusedByName = (sni: Parameters<typeof sniBehaviour>[0]) =>
  address({
    accepts: {},
    versionOutcomes: {
      SSLv3: alert('handshake_failure'),
      'TLSv1.0': alert('unrecognized_name'),
      'TLSv1.1': alert('unrecognized_name'),
      'TLSv1.2': alert('unrecognized_name'),
      'TLSv1.3': alert('unrecognized_name'),
    },
    listedSuites: alert('unrecognized_name'),
    sender: alert('unrecognized_name'),
    certificates: certificates({
      primary: null,
      error: 'no certificate seen: a TLSv1.2 hello ended with an unrecognized_name alert',
      sni: sniBehaviour({ required: null, noSniOutcome: alert('unrecognized_name'), ...sni }),
    }),
  });

const WEBHOOK_ROWS: Row[] = [
  {
    name: 'a well configured server raises nothing',
    scan: scan(),
    findings: [],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'case 1: TLS 1.3 only passes the version rule and fails the list',
    scan: scan([
      address({
        accepts: { 'TLSv1.3': [TLS13_128, TLS13_256] },
        certificates: certificates({ keyTypes: [] }),
      }),
    ]),
    findings: [
      {
        id: 'suites.none-listed',
        severity: 'error',
        says: ['only TLS 1.3 is accepted', 'senders limited to TLS 1.2 cannot connect'],
      },
    ],
    absent: [
      'version.none-supported',
      'version.legacy-accepted',
      'suites.certificate-key-mismatch',
    ],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'case 2: TLS 1.0 accepted next to TLS 1.2',
    scan: scan([
      address({
        accepts: {
          'TLSv1.0': [code('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA')],
          'TLSv1.2': [ECDHE_RSA_128],
        },
      }),
    ]),
    findings: [
      {
        id: 'version.legacy-accepted',
        severity: 'error',
        says: ['TLS 1.0 (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA) accepted'],
        expects: ['SSL 3.0, TLS 1.0 and TLS 1.1 refused'],
      },
    ],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'case 4: a server stuck on TLS 1.0 fails the version rules twice over',
    scan: scan([address({ accepts: { 'TLSv1.0': [RSA_128_CBC] } })]),
    findings: [
      {
        id: 'version.none-supported',
        severity: 'error',
        says: ['TLS 1.2 refused with a protocol_version alert', 'TLS 1.3 refused'],
        expects: ['TLS 1.2 or TLS 1.3 accepted'],
      },
      { id: 'version.legacy-accepted', severity: 'error', says: ['TLS 1.0'] },
      { id: 'suites.none-listed', severity: 'error' },
    ],
    absent: ['probe.inconclusive'],
  },
  {
    name: 'case 4 as Node answers it: hellos offering TLS 1.2 and 1.3 negotiated down to TLS 1.0',
    scan: scan([
      address({
        accepts: { 'TLSv1.0': [RSA_128_CBC] },
        versionOutcomes: {
          'TLSv1.2': accepted('TLSv1.0', RSA_128_CBC),
          'TLSv1.3': accepted('TLSv1.0', RSA_128_CBC),
        },
      }),
    ]),
    findings: [
      {
        id: 'version.none-supported',
        severity: 'error',
        says: [
          'TLS 1.2 not accepted (a hello offering it was answered with TLS 1.0)',
          'TLS 1.3 not accepted (a hello offering it was answered with TLS 1.0)',
        ],
      },
      { id: 'version.legacy-accepted', severity: 'error', says: ['TLS 1.0'] },
      { id: 'suites.none-listed', severity: 'error' },
    ],
  },
  {
    name: 'a TLS 1.1-only server: sender hellos answered in TLS 1.1 give a sender no connection',
    scan: scan([
      address({
        accepts: { 'TLSv1.1': [RSA_128_CBC] },
        versionOutcomes: {
          'TLSv1.2': accepted('TLSv1.1', RSA_128_CBC),
          'TLSv1.3': accepted('TLSv1.1', RSA_128_CBC),
        },
        listedSuites: accepted('TLSv1.1', RSA_128_CBC),
        sender: accepted('TLSv1.1', RSA_128_CBC),
      }),
    ]),
    findings: [
      { id: 'version.none-supported', severity: 'error' },
      { id: 'version.legacy-accepted', severity: 'error', says: ['TLS 1.1'] },
      { id: 'suites.none-listed', severity: 'error' },
    ],
    absent: ['kex.sender-not-forward-secret', 'kex.server-prefers-non-forward-secret'],
  },
  {
    name: 'case 5: the certificate key type fits no enabled suite (per-key-type probes)',
    scan: scan([
      address({
        accepts: {},
        versionOutcomes: { 'TLSv1.2': alert('handshake_failure') },
        certificates: certificates({
          primary: null,
          error: 'no handshake completed',
          keyTypes: [
            {
              keyType: 'RSA',
              version: 'TLSv1.2',
              sni: 'hooks.example.test',
              outcome: alert('handshake_failure'),
            },
            {
              keyType: 'ECDSA',
              version: 'TLSv1.2',
              sni: 'hooks.example.test',
              outcome: alert('handshake_failure'),
            },
          ],
        }),
      }),
    ]),
    findings: [
      {
        id: 'suites.certificate-key-mismatch',
        severity: 'error',
        says: [
          'every TLS 1.2 hello is refused',
          'RSA or ECDSA',
          'could not be obtained, so the cause may also be that no elliptic curve is enabled',
          'or no DH parameters for its DHE suites',
        ],
      },
      { id: 'suites.none-listed', severity: 'error', says: ['no listed suite is accepted'] },
    ],
    // TLS 1.2 is enabled; the mismatch says why nothing connects.
    absent: ['probe.inconclusive', 'version.none-supported'],
  },
  {
    name: 'TLS 1.3 works and TLS 1.2 gets handshake_failure: TLS 1.2 off or no suite fits the key',
    scan: scan([
      address({
        accepts: { 'TLSv1.3': [TLS13_128] },
        versionOutcomes: { 'TLSv1.2': alert('handshake_failure') },
        certificates: certificates({
          primary: chain({
            served: [certificate({ keyType: 'EC', keyBits: 256, curve: 'P-256' }), intermediate()],
          }),
        }),
      }),
    ]),
    // A tester found gnutls with TLS 1.3 alone judged a key mismatch: it refuses TLS 1.2 with
    // handshake_failure, which looks the same as case 5 beside TLS 1.3.
    findings: [
      {
        id: 'suites.none-listed',
        severity: 'error',
        says: [
          'refused with handshake_failure, not protocol_version',
          'either TLS 1.2 is off',
          'none of its enabled suites fits the certificate (an EC (ECDSA) key on P-256)',
        ],
        // A tester found "Enable TLS 1.2" alone where TLS 1.2 was on (case 5 beside TLS 1.3).
        fixes: ['if it is off, and give it suites that fit the certificate'],
      },
    ],
    absent: ['suites.certificate-key-mismatch'],
    only: true,
  },
  {
    name: 'a TLS 1.2 protocol_version refusal is no key mismatch',
    scan: scan([
      address({
        accepts: { 'TLSv1.3': [TLS13_128] },
        certificates: certificates({
          keyTypes: [
            {
              keyType: 'RSA',
              version: 'TLSv1.2',
              sni: 'hooks.example.test',
              outcome: alert('protocol_version'),
            },
            {
              keyType: 'ECDSA',
              version: 'TLSv1.2',
              sni: 'hooks.example.test',
              outcome: alert('protocol_version'),
            },
          ],
        }),
      }),
    ]),
    findings: [{ id: 'suites.none-listed', severity: 'error' }],
    absent: ['suites.certificate-key-mismatch'],
  },
  {
    name: 'case 6: a suite never offered on every hello is one error: the server breaks TLS',
    scan: scan([
      address({
        accepts: {},
        versionOutcomes: {
          'TLSv1.0': { kind: 'violation', detail: 'server chose suite 0x0005, not offered' },
          'TLSv1.1': { kind: 'violation', detail: 'server chose suite 0x0005, not offered' },
          'TLSv1.2': { kind: 'violation', detail: 'server chose suite 0x0005, not offered' },
          'TLSv1.3': { kind: 'violation', detail: 'server chose suite 0x0005, not offered' },
        },
        listedSuites: { kind: 'violation', detail: 'server chose suite 0x0005, not offered' },
        sender: { kind: 'violation', detail: 'server chose suite 0x0005, not offered' },
        certificates: certificates({ primary: null, error: 'no handshake completed' }),
        observations: [
          { id: 'suite-not-offered', detail: 'server chose suite 0x0005, not offered' },
        ],
      }),
    ]),
    findings: [
      {
        id: 'endpoint.protocol-violation',
        severity: 'error',
        says: [
          'every hello the server answered was answered in violation of the protocol',
          'server chose suite 0x0005 (TLS_RSA_WITH_RC4_128_SHA), not offered',
        ],
        expects: ['a suite the client offered'],
      },
    ],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'case 6 as a not-scanned endpoint: the violation is the finding, not the connection',
    scan: notScanned(
      'error',
      'the server breaks the protocol: server chose suite 0x0005, not offered',
    ),
    findings: [
      {
        id: 'endpoint.protocol-violation',
        severity: 'error',
        says: ['violation of the protocol', 'suite 0x0005 (TLS_RSA_WITH_RC4_128_SHA)'],
      },
    ],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'every hello closed before any reply: no TLS answer, one finding',
    scan: scan([
      address({
        accepts: {},
        versionRefusal: { kind: 'closed' },
        listedSuites: { kind: 'closed' },
        sender: { kind: 'closed' },
        certificates: certificates({ primary: null, error: 'no handshake completed' }),
      }),
    ]),
    findings: [
      {
        id: 'endpoint.no-tls-answer',
        severity: 'error',
        says: ['every hello, the one offering every version and suite included, was closed'],
      },
    ],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'a violation on some hellos while others are accepted stays a warning',
    scan: scan([
      address({
        versionOutcomes: {
          'TLSv1.0': { kind: 'violation', detail: 'server chose suite 0x0005, not offered' },
        },
      }),
    ]),
    findings: [
      {
        id: 'probe.protocol-violation',
        severity: 'warning',
        says: ['the TLS 1.0 hello: server chose suite 0x0005 (TLS_RSA_WITH_RC4_128_SHA)'],
      },
    ],
    only: true,
  },
  {
    name: 'case 7: a single ECDHE-ECDSA suite after a first probe refused by alert',
    scan: scan([
      address({
        accepts: { 'TLSv1.2': [ECDHE_ECDSA_256] },
        certificates: certificates({
          primary: chain({
            served: [certificate({ keyType: 'EC', keyBits: 384, curve: 'P-384' }), intermediate()],
          }),
        }),
      }),
    ]),
    findings: [],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'case 8: 3DES only passes the list with weak-cipher and no-FS warnings',
    scan: scan([address({ accepts: { 'TLSv1.2': [RSA_3DES] } })]),
    findings: [
      {
        id: 'suites.64-bit-block-cipher',
        severity: 'warning',
        says: ['TLS_RSA_WITH_3DES_EDE_CBC_SHA (TLS 1.2)'],
      },
      {
        id: 'kex.sender-not-forward-secret',
        severity: 'warning',
        says: [
          'negotiates TLS_RSA_WITH_3DES_EDE_CBC_SHA',
          'RSA key exchange',
          'accepts no suite with ECDHE or DHE',
        ],
      },
    ],
    absent: ['suites.none-listed'],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'case 10: refusals by reset and close are refusals, with a warning about alerts',
    scan: scan([
      address({
        versionRefusal: reset,
        suiteRefusal: closed,
      }),
    ]),
    findings: [
      {
        id: 'alerts.improper-refusal',
        severity: 'warning',
        says: [
          'the TLS 1.0 hello was refused by a TCP reset',
          'unwanted TLS 1.2 suites got a close without a fatal alert',
        ],
      },
    ],
    absent: ['version.legacy-accepted', 'probe.inconclusive', 'endpoint.not-scanned'],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'silence on a legacy version is inconclusive, never a refusal',
    scan: scan([address({ versionOutcomes: { 'TLSv1.0': timeout, 'TLSv1.1': timeout } })]),
    findings: [
      {
        id: 'probe.inconclusive',
        severity: 'warning',
        says: ['whether TLS 1.0 and TLS 1.1 are refused', 'no answer before the timeout'],
      },
    ],
    absent: ['version.legacy-accepted', 'alerts.improper-refusal'],
    only: true,
  },
  {
    name: 'silence on every modern version is inconclusive, not "not supported"',
    scan: scan([
      address({
        accepts: {},
        versionOutcomes: { 'TLSv1.2': timeout, 'TLSv1.3': timeout },
        listedSuites: timeout,
        sender: timeout,
        certificates: certificates({ primary: null }),
      }),
    ]),
    findings: [
      {
        id: 'probe.inconclusive',
        severity: 'warning',
        says: ['whether TLS 1.2 or TLS 1.3 is accepted'],
      },
    ],
    absent: ['version.none-supported', 'suites.none-listed'],
  },
  {
    name: 'case 11: SNI required is a notice only',
    scan: scan([
      address({
        certificates: certificates({
          sni: sniBehaviour({
            required: true,
            noSniNameMatches: null,
            noSniOutcome: alert('unrecognized_name'),
          }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'sni.required',
        severity: 'notice',
        says: ['without SNI is refused with an unrecognized_name alert'],
      },
    ],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'cases 11 and 13 together: no site for the name behind ssl_reject_handshake',
    scan: scan([refusedByName({ unknownName: 'fatal-alert' })]),
    findings: [
      {
        id: 'sni.name-refused',
        severity: 'error',
        says: ['refused with a fatal unrecognized_name alert', 'no site or certificate'],
      },
    ],
    absent: ['suites.certificate-key-mismatch', 'version.none-supported', 'suites.none-listed'],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'case 11 at an IP endpoint: a server that requires SNI refuses every sender',
    scan: scan([refusedByName({})], '127.0.0.1'),
    findings: [
      {
        id: 'sni.required-by-ip-endpoint',
        severity: 'error',
        says: ['requires SNI', 'the IP address 127.0.0.1 sends none'],
        expects: ['RFC 6066, Section 3'],
      },
    ],
    absent: ['suites.certificate-key-mismatch', 'version.none-supported', 'suites.none-listed'],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: "case 12: clients without SNI get the default site's certificate",
    scan: scan([
      address({
        certificates: certificates({
          others: [
            chain({
              sni: null,
              served: [
                certificate({
                  subject: 'CN=default.example.test',
                  dnsNames: ['default.example.test'],
                }),
              ],
              nameMatches: false,
            }),
          ],
          sni: sniBehaviour({ noSniNameMatches: false, unknownName: 'other-certificate' }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'sni.no-sni-mismatch',
        severity: 'warning',
        says: [
          'without SNI receives a certificate for default.example.test (DNS)',
          'does not cover hooks.example.test',
        ],
      },
    ],
    only: true,
  },
  {
    name: 'case 13: the name has no site; the finding names host and covered names',
    scan: scan(
      [
        address({
          certificates: certificates({
            primary: chain({
              sni: 'www.example.test',
              served: [
                certificate({ subject: 'CN=example.test', dnsNames: ['example.test'] }),
                intermediate(),
              ],
              nameMatches: false,
              problems: [problem('name-mismatch', 'www.example.test is not covered', 0)],
            }),
          }),
        }),
      ],
      'www.example.test',
    ),
    findings: [
      {
        id: 'certificate.name-mismatch',
        severity: 'error',
        says: ['covers example.test (DNS), not www.example.test', 'days left'],
        expects: ['covers www.example.test'],
      },
    ],
    only: true,
  },
  {
    name: 'case 14: an IP endpoint sends no SNI and is checked against IP SANs',
    scan: scan(
      [
        address({
          address: '127.0.0.1',
          certificates: certificates({
            primary: chain({
              sni: null,
              served: [certificate({ dnsNames: [], ipAddresses: ['127.0.0.1'] }), intermediate()],
            }),
            sni: sniBehaviour({
              honoured: null,
              required: null,
              noSniNameMatches: null,
              unknownName: null,
            }),
          }),
        }),
      ],
      '127.0.0.1',
    ),
    findings: [],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'case 15: leaf only, intermediate not sent',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({
            served: [certificate()],
            built: [0],
            trusted: false,
            problems: [problem('missing-intermediate', 'intermediate not sent', 0)],
          }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.incomplete-chain',
        severity: 'error',
        says: [
          'sends 1 certificate and not the intermediate',
          'issuer CN=Example Intermediate CA',
          'if that issuer is a private root rather than an intermediate',
        ],
      },
    ],
    absent: ['certificate.untrusted'],
    only: true,
  },
  {
    name: 'case 16: the intermediate sent does not issue the leaf',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({
            served: [
              certificate({ issuer: 'CN=Intermediate A' }),
              intermediate({ subject: 'CN=Intermediate B' }),
            ],
            trusted: false,
            problems: [
              problem('wrong-intermediate', 'CN=Intermediate B did not issue the leaf', 1),
              problem('unused-certificate', 'CN=Intermediate B is part of no path', 1),
            ],
          }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.wrong-intermediate',
        severity: 'error',
        says: [
          'intermediate sent (CN=Intermediate B) does not issue the leaf',
          '(issuer CN=Intermediate A)',
        ],
      },
      { id: 'certificate.unused-certificate', severity: 'notice', says: ['part of no path'] },
    ],
    absent: ['certificate.untrusted'],
    only: true,
  },
  {
    name: 'case 17: an expired leaf names its expiry date',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({
            served: [
              certificate({ notAfter: '2026-02-19T12:00:00.000Z', daysLeft: -10 }),
              intermediate(),
            ],
            problems: [problem('expired', 'expired', 0)],
          }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.expired',
        severity: 'error',
        says: ['expired on 2026-02-19, 10 days ago'],
      },
    ],
    absent: ['certificate.expiring-soon'],
    only: true,
  },
  {
    name: 'a server that asks for a client certificate: senders present none',
    scan: scan([
      address({
        certificates: certificates({ primary: chain({ clientCertificateRequested: true }) }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.client-certificate-requested',
        severity: 'warning',
        says: ['asks for a client certificate', 'whether it requires one could not be told'],
      },
    ],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'a server that ends a handshake finished without a client certificate: none gets in',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({ clientCertificateRequested: true }),
          withoutClientCertificate: {
            answer: 'refused',
            detail: 'the server ends the handshake with a fatal certificate_required alert',
          },
        }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.client-certificate-required',
        severity: 'error',
        says: ['certificate_required', 'every delivery fails'],
      },
    ],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'a server that asks for a client certificate and goes on without one',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({ clientCertificateRequested: true }),
          withoutClientCertificate: {
            answer: 'completed',
            detail: 'the server sent a NewSessionTicket',
            version: 'TLSv1.2',
          },
        }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.client-certificate-requested',
        severity: 'warning',
        says: ['goes on without one in TLS 1.2 (the server sent a NewSessionTicket)', 'over HTTP'],
      },
    ],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'a ServerHello and then nothing, twice: the handshake stalls, not "no certificate"',
    scan: scan([
      address({
        certificates: certificates({
          primary: null,
          stalledAfterServerHello: true,
          error: 'the server sent its ServerHello and then nothing more: no certificate came',
        }),
      }),
    ]),
    findings: [
      {
        id: 'endpoint.handshake-stalls',
        severity: 'error',
        says: ['a ServerHello and then sent nothing more'],
        expects: ['Certificate'],
      },
    ],
    absent: ['probe.inconclusive', 'certificate.untrusted'],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'an expired leaf is found by date even without a problem code',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({
            served: [certificate({ notAfter: isoDaysFromNow(-1) }), intermediate()],
          }),
        }),
      }),
    ]),
    findings: [{ id: 'certificate.expired', severity: 'error', says: ['1 day ago'] }],
    only: true,
  },
  {
    name: 'a leaf not yet valid',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({
            served: [certificate({ notBefore: isoDaysFromNow(3) }), intermediate()],
          }),
        }),
      }),
    ]),
    findings: [{ id: 'certificate.not-yet-valid', severity: 'error', says: ['valid only from'] }],
    only: true,
  },
  {
    name: 'a certificate expiring within 30 days warns with the date and days left',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({
            served: [certificate({ notAfter: isoDaysFromNow(20) }), intermediate()],
          }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.expiring-soon',
        severity: 'warning',
        says: ['expires on 2026-03-21, in 20 days'],
      },
    ],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'a certificate with 31 days left does not warn',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({
            served: [certificate({ notAfter: isoDaysFromNow(31.5) }), intermediate()],
          }),
        }),
      }),
    ]),
    findings: [],
    only: true,
  },
  {
    name: 'case 18: RSA key exchange only fails forward secrecy',
    scan: scan([
      address({ accepts: { 'TLSv1.2': [RSA_128_GCM, RSA_256_GCM, RSA_128_CBC, RSA_256_CBC] } }),
    ]),
    findings: [
      {
        id: 'kex.sender-not-forward-secret',
        severity: 'warning',
        says: [
          'negotiates TLS_RSA_WITH_AES_128_GCM_SHA256',
          'accepts no suite with ECDHE or DHE key exchange',
        ],
      },
    ],
    absent: ['suites.none-listed', 'version.none-supported'],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'case 19: no overlap with the list',
    scan: scan([address({ accepts: { 'TLSv1.2': [DHE_RSA_256] }, dhBits: 2048 })]),
    findings: [
      {
        id: 'suites.none-listed',
        severity: 'error',
        says: [
          'no suite in common with the required list',
          'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 (TLS 1.2)',
        ],
      },
    ],
    absent: ['kex.weak-dh'],
    only: true,
  },
  {
    name: 'a server preferring RSA key exchange over ECDHE',
    scan: scan([
      address({ accepts: { 'TLSv1.2': [RSA_128_GCM, ECDHE_RSA_128] }, preference: 'server' }),
    ]),
    findings: [
      {
        id: 'kex.server-prefers-non-forward-secret',
        severity: 'warning',
        says: [
          "with TLS 1.2 the server's first choice is TLS_RSA_WITH_AES_128_GCM_SHA256 (no " +
            'forward secrecy), ranked above TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        ],
      },
      {
        id: 'kex.sender-not-forward-secret',
        severity: 'warning',
        says: [
          'accepts listed forward-secret suites too (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) ' +
            'but picks',
        ],
      },
    ],
    only: true,
  },
  {
    name: 'a server preferring ECDHE that ranks TLS_RSA above TLS_DHE costs nobody anything',
    scan: scan([
      address({
        accepts: { 'TLSv1.2': [ECDHE_RSA_128, RSA_128_GCM, DHE_RSA_256] },
        preference: 'server',
      }),
    ]),
    findings: [],
    absent: ['kex.server-prefers-non-forward-secret'],
    only: true,
  },
  {
    name: 'a server preferring DHE gives list-following senders RSA: enable ECDHE, not reorder',
    scan: scan([
      address({ accepts: { 'TLSv1.2': [DHE_RSA_256, RSA_128_GCM] }, preference: 'server' }),
    ]),
    findings: [
      {
        id: 'kex.sender-not-forward-secret',
        severity: 'warning',
        says: [
          "the server's forward-secret suites (TLS_DHE_RSA_WITH_AES_256_GCM_SHA384) are not " +
            'on the list, so senders never offer them',
        ],
      },
    ],
    absent: ['kex.server-prefers-non-forward-secret'],
    only: true,
  },
  {
    name: 'a server whose top choice is DHE but that ranks a listed RSA suite above listed ECDHE',
    scan: scan([
      address({
        accepts: { 'TLSv1.2': [DHE_RSA_256, RSA_128_GCM, ECDHE_RSA_128] },
        preference: 'server',
      }),
    ]),
    findings: [
      {
        id: 'kex.server-prefers-non-forward-secret',
        severity: 'warning',
        says: [
          'with TLS 1.2 a sender offering the listed suites gets TLS_RSA_WITH_AES_128_GCM_SHA256 ' +
            '(no forward secrecy): the server ranks it above the listed ' +
            'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        ],
      },
      { id: 'kex.sender-not-forward-secret', severity: 'warning' },
    ],
    only: true,
  },
  {
    name: 'a sender probe that timed out is judged from the server order',
    scan: scan([
      address({
        accepts: { 'TLSv1.2': [RSA_128_GCM, ECDHE_RSA_128] },
        preference: 'server',
        listedSuites: timeout,
        sender: timeout,
      }),
    ]),
    findings: [
      {
        id: 'kex.sender-not-forward-secret',
        severity: 'warning',
        says: ["judging by the server's suite order"],
      },
    ],
    absent: ['probe.inconclusive'],
  },
  {
    name: 'RC4 accepted is insecure',
    scan: scan([address({ accepts: { 'TLSv1.2': [ECDHE_RSA_128, RSA_RC4] } })]),
    findings: [
      { id: 'suites.insecure', severity: 'warning', says: ['TLS_RSA_WITH_RC4_128_SHA (RC4)'] },
    ],
    only: true,
  },
  {
    name: 'DHE with a 1024-bit group is a notice under the webhook policy',
    scan: scan([address({ accepts: { 'TLSv1.2': [ECDHE_RSA_128, DHE_RSA_256] }, dhBits: 1024 })]),
    findings: [{ id: 'kex.weak-dh', severity: 'notice', says: ['1024-bit groups'] }],
    only: true,
  },
  {
    name: 'a listed suite that cannot be settled is inconclusive, not missing',
    scan: scan([
      address({
        accepts: { 'TLSv1.2': [DHE_RSA_256] },
        incomplete: ['TLSv1.2'],
        listedSuites: timeout,
        sender: timeout,
      }),
    ]),
    findings: [
      {
        id: 'probe.inconclusive',
        severity: 'warning',
        says: [
          'whether a listed suite is accepted with TLS 1.2',
          'some suite probes got no answer',
        ],
      },
    ],
    absent: ['suites.none-listed'],
  },
  {
    name: 'one certificate for every name, missing the endpoint: a name mismatch, no SNI fault',
    scan: scan([
      address({
        certificates: certificates({
          primary: chain({
            served: [certificate({ dnsNames: ['other.example.test'] }), intermediate()],
            nameMatches: false,
          }),
          sni: sniBehaviour({ honoured: false, noSniNameMatches: false }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.name-mismatch',
        severity: 'error',
        says: [
          'covers other.example.test (DNS), not hooks.example.test',
          'alike for this name, for no name and for a name it cannot know',
        ],
      },
    ],
    absent: ['sni.no-sni-mismatch', 'sni.not-honoured'],
    only: true,
  },
  {
    name: 'hellos with SNI fail while a hello without SNI works: SNI not honoured',
    scan: scan([
      address({
        accepts: {},
        versionRefusal: alert('handshake_failure'),
        certificates: certificates({
          primary: null,
          sni: sniBehaviour({
            honoured: null,
            required: null,
            noSniNameMatches: true,
            noSniOutcome: { kind: 'accepted', version: 'TLSv1.2', suite: ECDHE_RSA_128 },
          }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'sni.not-honoured',
        severity: 'warning',
        says: [
          'hellos naming hooks.example.test in SNI fail',
          '(TLS 1.2: refused with a handshake_failure alert)',
          'without SNI is accepted (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)',
        ],
      },
      { id: 'suites.none-listed', severity: 'error' },
    ],
  },
  {
    name: "a warning unrecognized_name alert for the endpoint's own name",
    scan: scan([
      address({ certificates: certificates({ sni: sniBehaviour({ nameWarning: true }) }) }),
    ]),
    findings: [
      {
        id: 'sni.unrecognized-name-warning',
        severity: 'warning',
        says: ['warning unrecognized_name'],
      },
    ],
    only: true,
  },
  {
    name: 'a TLS 1.2 sender ends without forward secrecy while TLS 1.3 senders are fine',
    scan: scan([
      address({
        accepts: { 'TLSv1.2': [RSA_128_GCM, ECDHE_RSA_128], 'TLSv1.3': [TLS13_128] },
        preference: 'server',
      }),
    ]),
    findings: [
      {
        id: 'kex.sender-not-forward-secret',
        severity: 'warning',
        says: [
          'a sender limited to TLS 1.2 offering the listed suites in their order negotiates ' +
            'TLS_RSA_WITH_AES_128_GCM_SHA256',
          'senders offering TLS 1.3 do get forward secrecy',
        ],
      },
      { id: 'kex.server-prefers-non-forward-secret', severity: 'warning' },
    ],
    only: true,
  },
  {
    name: 'version intolerance seen by the engine',
    scan: scan([
      address({
        observations: [
          {
            id: 'version-intolerance',
            detail:
              'a hello offering up to TLSv1.3 ends with a reset, although TLSv1.2 is accepted',
          },
        ],
      }),
    ]),
    findings: [
      { id: 'probe.version-intolerance', severity: 'warning', says: ['offering up to TLSv1.3'] },
    ],
    only: true,
  },
  {
    name: 'observations no rule covers become notices',
    scan: scan([
      address({
        observations: [{ id: 'preference-inconsistent', detail: 'picks fit neither order' }],
      }),
    ]),
    findings: [
      {
        id: 'probe.observation',
        severity: 'notice',
        says: ['preference-inconsistent: picks fit neither order'],
      },
    ],
    only: true,
  },
  {
    name: "the engine's incomplete and deadline observations are inconclusive, said once",
    scan: scan([
      address({
        incomplete: ['TLSv1.2'],
        observations: [
          {
            id: 'incomplete',
            detail: 'some TLSv1.2 probes were inconclusive: suites may be missing',
          },
          { id: 'deadline-reached', detail: 'the endpoint deadline passed' },
        ],
      }),
    ]),
    findings: [
      {
        id: 'probe.inconclusive',
        severity: 'warning',
        says: ['some TLSv1.2 probes were inconclusive', 'the endpoint deadline passed'],
      },
    ],
    only: true,
  },
  {
    name: "the engine's violation observations are protocol violations",
    scan: scan([
      address({ observations: [{ id: 'suite-not-offered', detail: 'ServerHello chose 0x0005' }] }),
    ]),
    findings: [
      { id: 'probe.protocol-violation', severity: 'warning', says: ['ServerHello chose 0x0005'] },
    ],
    only: true,
  },
  {
    name: "the engine's refusal-without-alert observation speaks when the data does not",
    scan: scan([
      address({
        observations: [{ id: 'refusal-without-alert', detail: 'the server resets the connection' }],
      }),
    ]),
    findings: [
      { id: 'alerts.improper-refusal', severity: 'warning', says: ['resets the connection'] },
    ],
    only: true,
  },
  {
    name: "case 5 through the engine's no-usable-suite observation",
    scan: scan([
      address({
        accepts: {},
        versionOutcomes: { 'TLSv1.2': alert('insufficient_security') },
        certificates: certificates({ primary: null }),
        observations: [
          { id: 'no-usable-suite', detail: 'every suite of every version is refused' },
        ],
      }),
    ]),
    findings: [
      { id: 'suites.certificate-key-mismatch', severity: 'error' },
      { id: 'suites.none-listed', severity: 'error' },
    ],
    only: true,
  },
  {
    name: 'a certificate that could not be fetched from a working server is inconclusive',
    scan: scan([
      address({ certificates: certificates({ primary: null, error: 'read timed out' }) }),
    ]),
    findings: [
      {
        id: 'probe.inconclusive',
        severity: 'warning',
        says: ['whether the certificate is valid (read timed out)'],
      },
    ],
    only: true,
  },
  {
    name: 'case 3: plaintext HTTP on every probe',
    scan: scan([
      address({
        accepts: {},
        versionOutcomes: Object.fromEntries(
          ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map((version) => [
            version,
            { kind: 'not-tls', detail: 'plaintext HTTP reply' },
          ]),
        ),
        listedSuites: { kind: 'not-tls', detail: 'plaintext HTTP reply' },
        sender: { kind: 'not-tls', detail: 'plaintext HTTP reply' },
        certificates: certificates({ primary: null }),
      }),
    ]),
    findings: [
      {
        id: 'endpoint.not-tls',
        severity: 'error',
        says: ['this port does not speak TLS (plaintext HTTP reply)'],
      },
    ],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'case 3 as the engine reports it: not scanned because not TLS',
    scan: notScanned('not-tls', 'this port does not speak TLS: plaintext HTTP reply'),
    findings: [
      {
        id: 'endpoint.not-tls',
        severity: 'error',
        says: ['this port does not speak TLS (plaintext HTTP reply)'],
      },
    ],
    only: true,
    verdict: 'non-compliant',
  },
  ...(
    [
      ['dns', 'the name did not resolve', 'ENOTFOUND hooks.example.test'],
      ['refused', 'the connection was refused', 'ECONNREFUSED 192.0.2.10:443'],
      ['timeout', 'the connection timed out', 'no answer in 5000 ms'],
      ['error', 'the scan failed', 'EHOSTUNREACH'],
    ] as const
  ).map(
    ([reason, says, detail]): Row => ({
      name: `not scanned (${reason}) fails and says which it was`,
      scan: notScanned(reason, detail),
      findings: [{ id: 'endpoint.not-scanned', severity: 'error', says: [says, detail] }],
      only: true,
      verdict: 'not-scanned',
    }),
  ),
];

// Certificate problems reported by the certificate layer, one row each.
const CERTIFICATE_PROBLEM_ROWS: Row[] = (
  [
    ['untrusted', 'certificate.untrusted', 'error', false],
    ['self-signed', 'certificate.self-signed', 'error', false],
    ['expired-in-chain', 'certificate.expired-in-chain', 'error', false],
    ['weak-signature', 'certificate.weak-signature', 'error', true],
    ['weak-key', 'certificate.weak-key', 'error', true],
    ['not-server-auth', 'certificate.not-server-auth', 'error', true],
    ['bad-basic-constraints', 'certificate.bad-basic-constraints', 'error', false],
    ['bad-order', 'certificate.chain-order', 'notice', true],
    ['root-sent', 'certificate.root-sent', 'notice', true],
  ] as const
).map(([problemCode, id, severity, trusted]) => ({
  name: `certificate problem ${problemCode}`,
  scan: scan([
    address({
      certificates: certificates({
        primary: chain({
          trusted,
          problems: [problem(problemCode, `problem ${problemCode} seen`, 0)],
        }),
      }),
    }),
  ]),
  findings: [
    {
      id,
      severity,
      says: ['days left'],
      // A tester: the chain was served whole, so "serve the full chain" did not fit.
      fixes: problemCode === 'expired-in-chain' ? ['Replace the expired certificate'] : [],
    },
  ],
  only: true,
  verdict: severity === 'error' ? 'non-compliant' : 'compliant',
}));

const MODERN_GOOD = () =>
  address({
    accepts: { 'TLSv1.3': [TLS13_128, TLS13_256] },
    groups: { 'TLSv1.3': [29, 23] },
    certificates: certificates({
      primary: chain({
        served: [
          certificate({
            keyType: 'EC',
            keyBits: 256,
            curve: 'P-256',
            signatureAlgorithm: 'ecdsa-with-SHA256',
            notBefore: isoDaysFromNow(-10),
            notAfter: isoDaysFromNow(70),
          }),
          intermediate(),
        ],
        ocspStapled: true,
      }),
    }),
    list: [TLS13_128, TLS13_256, code('TLS_CHACHA20_POLY1305_SHA256')],
  });

const INTERMEDIATE_GOOD = (overrides: Parameters<typeof address>[0] = {}) =>
  address({
    accepts: { 'TLSv1.2': [ECDHE_RSA_128, ECDHE_RSA_256], 'TLSv1.3': [TLS13_128] },
    groups: { 'TLSv1.2': [29, 23], 'TLSv1.3': [29] },
    certificates: certificates({
      primary: chain({
        served: [
          certificate({ notBefore: isoDaysFromNow(-10), notAfter: isoDaysFromNow(80) }),
          intermediate(),
        ],
        ocspStapled: true,
      }),
    }),
    ...overrides,
  });

const MOZILLA_ROWS: Row[] = [
  {
    name: 'modern: a TLS 1.3-only ECDSA server complies',
    preset: 'mozilla-modern',
    scan: scan([MODERN_GOOD()]),
    findings: [],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'modern: the webhook-compliant default server fails on TLS 1.2 and its RSA certificate',
    preset: 'mozilla-modern',
    scan: scan(),
    findings: [
      { id: 'version.legacy-accepted', severity: 'error', says: ['TLS 1.2'] },
      {
        id: 'certificate.key-type-not-allowed',
        severity: 'error',
        says: ['RSA 2048-bit'],
        expects: ['ECDSA'],
      },
      {
        id: 'certificate.signature-not-allowed',
        severity: 'error',
        says: ['sha256WithRSAEncryption'],
      },
      { id: 'certificate.no-ocsp-staple', severity: 'notice' },
    ],
    only: true,
    verdict: 'non-compliant',
  },
  {
    name: 'modern: a P-521 certificate valid for a year',
    preset: 'mozilla-modern',
    scan: scan([
      address({
        accepts: { 'TLSv1.3': [TLS13_128] },
        certificates: certificates({
          primary: chain({
            served: [
              certificate({
                keyType: 'EC',
                keyBits: 521,
                curve: 'P-521',
                signatureAlgorithm: 'ecdsa-with-SHA512',
                notBefore: isoDaysFromNow(-300),
                notAfter: isoDaysFromNow(65),
              }),
            ],
            ocspStapled: true,
          }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'certificate.curve-not-allowed',
        severity: 'error',
        says: ['P-521'],
        expects: ['P-256 or P-384'],
      },
      {
        id: 'certificate.lifespan-too-long',
        severity: 'warning',
        says: ['valid for 365 days'],
        expects: ['at most 90 days'],
      },
    ],
    only: true,
  },
  {
    name: 'intermediate: an ECDHE server with an RSA 2048 certificate complies',
    preset: 'mozilla-intermediate',
    scan: scan([INTERMEDIATE_GOOD()]),
    findings: [],
    only: true,
    verdict: 'compliant',
  },
  {
    name: 'intermediate: suites, groups, DH and key size outside the configuration',
    preset: 'mozilla-intermediate',
    scan: scan([
      INTERMEDIATE_GOOD({
        accepts: { 'TLSv1.2': [ECDHE_RSA_128, RSA_128_GCM, DHE_RSA_256], 'TLSv1.3': [TLS13_128] },
        groups: { 'TLSv1.2': [29, 25] },
        dhBits: 1024,
        certificates: certificates({
          primary: chain({
            served: [
              certificate({
                keyBits: 1536,
                notBefore: isoDaysFromNow(-300),
                notAfter: isoDaysFromNow(98),
              }),
              intermediate(),
            ],
            ocspStapled: true,
          }),
        }),
      }),
    ]),
    findings: [
      {
        id: 'suites.not-allowed',
        severity: 'error',
        says: [
          'TLS_RSA_WITH_AES_128_GCM_SHA256 (TLS 1.2)',
          'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 (TLS 1.2)',
        ],
      },
      { id: 'kex.weak-dh', severity: 'error', says: ['1024-bit'] },
      { id: 'certificate.rsa-key-too-small', severity: 'error', says: ['1536 bits'] },
      {
        id: 'kex.group-not-allowed',
        severity: 'warning',
        says: ['groups accepted outside the list: secp521r1'],
      },
      { id: 'certificate.lifespan-too-long', severity: 'warning', says: ['398 days'] },
    ],
    only: true,
  },
  {
    name: "intermediate: the server's own TLS 1.3 group list holds one outside the configuration",
    preset: 'mozilla-intermediate',
    scan: scan([
      INTERMEDIATE_GOOD({
        groups: { 'TLSv1.2': [29, 23], 'TLSv1.3': [29, 23, 256] },
        groupsFromServerList: ['TLSv1.3'],
      }),
    ]),
    findings: [
      {
        id: 'kex.group-not-allowed',
        severity: 'warning',
        says: ['groups accepted or listed by the server outside the list: ffdhe2048'],
      },
    ],
    only: true,
  },
  {
    name: 'intermediate: RSA key exchange only, nothing of the list',
    preset: 'mozilla-intermediate',
    scan: scan([INTERMEDIATE_GOOD({ accepts: { 'TLSv1.2': [RSA_128_GCM] } })]),
    findings: [
      { id: 'suites.none-listed', severity: 'error', says: ['no suite in common'] },
      { id: 'suites.not-allowed', severity: 'error' },
    ],
  },
];

const raised = new Set<string>();

function runRows(rows: Row[]) {
  for (const row of rows) {
    it(row.name, () => {
      const policy = presetPolicy(row.preset ?? 'webhook');
      const result = evaluate(row.scan, policy, NOW);
      for (const finding of result.findings) raised.add(finding.id);

      for (const want of row.findings) {
        const finding = result.findings.find((candidate) => candidate.id === want.id);
        expect(
          finding,
          `${want.id} in ${JSON.stringify(result.findings.map((f) => f.id))}`,
        ).toBeDefined();
        expect(finding?.severity).toBe(want.severity);
        expect(finding?.title).toBeTruthy();
        for (const fragment of want.says ?? [])
          expect(finding?.evidence.observed).toContain(fragment);
        for (const fragment of want.expects ?? [])
          expect(finding?.evidence.expected).toContain(fragment);
        for (const fragment of want.fixes ?? [])
          expect(finding?.remediation.summary).toContain(fragment);
      }
      for (const id of row.absent ?? []) {
        expect(result.findings.map((finding) => finding.id)).not.toContain(id);
      }
      if (row.only) {
        expect(result.findings.map((finding) => finding.id).sort()).toEqual(
          row.findings.map((finding) => finding.id).sort(),
        );
      }
      if (row.verdict) expect(result.verdict).toBe(row.verdict);
    });
  }
}

describe('webhook preset', () => runRows(WEBHOOK_ROWS));
describe('webhook preset: certificate problems', () => runRows(CERTIFICATE_PROBLEM_ROWS));
describe('Mozilla presets', () => runRows(MOZILLA_ROWS));

describe('findings', () => {
  it('carry the endpoint, the address, the SNI name and a remediation', () => {
    const result = evaluate(
      scan([
        address({
          certificates: certificates({
            primary: chain({
              served: [certificate({ notAfter: isoDaysFromNow(5) }), intermediate()],
            }),
          }),
        }),
      ]),
      presetPolicy('webhook'),
      NOW,
    );
    const [finding] = result.findings;
    expect(finding.endpoint).toBe('https://hooks.example.test:443/hook');
    expect(finding.address).toBe('192.0.2.10');
    expect(finding.sni).toBe('hooks.example.test');
    expect(finding.remediation.summary).toMatch(/Renew/);
  });

  it('come out in severity, identifier, address order', () => {
    const result = evaluate(
      scan([
        address({
          accepts: { 'TLSv1.0': [RSA_128_CBC], 'TLSv1.2': [RSA_3DES] },
          observations: [{ id: 'x', detail: 'y' }],
          certificates: certificates({
            primary: chain({
              served: [certificate({ notAfter: isoDaysFromNow(5) }), intermediate()],
            }),
          }),
        }),
      ]),
      presetPolicy('webhook'),
      NOW,
    );
    expect(result.findings.map((finding) => `${finding.severity} ${finding.id}`)).toEqual([
      'error version.legacy-accepted',
      'warning certificate.expiring-soon',
      'warning kex.sender-not-forward-secret',
      'warning suites.64-bit-block-cipher',
      'notice probe.observation',
    ]);
  });

  it('seen the same on every address come once, naming the addresses', () => {
    const spec = { accepts: { 'TLSv1.0': [RSA_128_CBC], 'TLSv1.2': [ECDHE_RSA_128] } };
    const result = evaluate(
      scan([
        address({ ...spec, address: '192.0.2.10' }),
        address({ ...spec, address: '2001:db8::10' }),
      ]),
      presetPolicy('webhook'),
      NOW,
    );
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].address).toBe('192.0.2.10, 2001:db8::10');
  });

  it('name the one address that refuses connections while another serves TLS: a warning', () => {
    // A tester found a dual-stack name judged non-compliant for its refusing IPv6 address;
    // senders that try the addresses in turn move on at once.
    const unreachable = {
      ...address({ address: '2001:db8::11' }),
      notScanned: { reason: 'refused' as const, detail: 'connection refused (ECONNREFUSED)' },
    };
    const result = evaluate(
      scan([unreachable, address({ address: '192.0.2.10' })]),
      presetPolicy('webhook'),
      NOW,
    );
    expect(
      result.findings.map((finding) => [finding.id, finding.severity, finding.address]),
    ).toEqual([['endpoint.address-refused', 'warning', '2001:db8::11']]);
    expect(result.findings[0].evidence.observed).toBe(
      'hooks.example.test resolves to 2001:db8::11, which refuses connections (ECONNREFUSED), ' +
        'while another address serves TLS: senders that try it first move on to the next',
    );
    expect(result.verdict).toBe('compliant');
    for (const finding of result.findings) raised.add(finding.id);
  });

  it('name the one address that timed out while the others were scanned: an error', () => {
    const silent = {
      ...address({ address: '192.0.2.11' }),
      notScanned: { reason: 'timeout' as const, detail: 'no TLS hello was answered' },
    };
    const result = evaluate(
      scan([address({ address: '192.0.2.10' }), silent]),
      presetPolicy('webhook'),
      NOW,
    );
    // Its own rule, so that no "endpoint not scanned" sits on an endpoint counted as scanned.
    expect(result.findings.map((finding) => [finding.id, finding.address])).toEqual([
      ['endpoint.address-not-scanned', '192.0.2.11'],
    ]);
    expect(result.verdict).toBe('non-compliant');
    for (const finding of result.findings) raised.add(finding.id);
  });

  it('that differ between addresses name each address', () => {
    const result = evaluate(
      scan([
        address({ address: '192.0.2.10' }),
        address({
          address: '192.0.2.11',
          accepts: { 'TLSv1.0': [RSA_128_CBC], 'TLSv1.2': [ECDHE_RSA_128] },
        }),
        address({
          address: '192.0.2.12',
          accepts: { 'TLSv1.1': [RSA_128_CBC], 'TLSv1.2': [ECDHE_RSA_128] },
        }),
      ]),
      presetPolicy('webhook'),
      NOW,
    );
    expect(result.findings.map((finding) => [finding.id, finding.address])).toEqual([
      ['version.legacy-accepted', '192.0.2.11'],
      ['version.legacy-accepted', '192.0.2.12'],
    ]);
    expect(result.verdict).toBe('non-compliant');
  });

  it('are dropped for rules a policy turns off', () => {
    const policy = presetPolicy('webhook');
    policy.severities['suites.64-bit-block-cipher'] = 'off';
    policy.severities['kex.sender-not-forward-secret'] = 'error';
    const result = evaluate(scan([address({ accepts: { 'TLSv1.2': [RSA_3DES] } })]), policy, NOW);
    expect(result.findings.map((finding) => [finding.id, finding.severity])).toEqual([
      ['kex.sender-not-forward-secret', 'error'],
    ]);
    expect(result.verdict).toBe('non-compliant');
  });
});

describe('failsPolicy', () => {
  const warningsOnly = evaluate(
    scan([address({ accepts: { 'TLSv1.2': [RSA_3DES] } })]),
    presetPolicy('webhook'),
    NOW,
  );
  const noticesOnly = evaluate(
    scan([address({ observations: [{ id: 'x', detail: 'y' }] })]),
    presetPolicy('webhook'),
    NOW,
  );
  const errors = evaluate(
    scan([address({ accepts: { 'TLSv1.3': [TLS13_128] } })]),
    presetPolicy('webhook'),
    NOW,
  );
  const unreachable = evaluate(notScanned('dns', 'ENOTFOUND'), presetPolicy('webhook'), NOW);

  it.each([
    ['error', [false, false, true, true]],
    ['warning', [true, false, true, true]],
    ['notice', [true, true, true, true]],
    ['never', [false, false, false, false]],
  ] as const)('with fail-on %s', (failOn, expected) => {
    expect(
      [warningsOnly, noticesOnly, errors, unreachable].map((result) => failsPolicy(result, failOn)),
    ).toEqual(expected);
  });

  it('lets a not-scanned endpoint pass when the policy lowers endpoint.not-scanned', () => {
    const policy = presetPolicy('webhook');
    policy.severities['endpoint.not-scanned'] = 'warning';
    const result = evaluate(notScanned('timeout', 'no answer'), policy, NOW);
    expect(result.verdict).toBe('not-scanned');
    expect(failsPolicy(result, 'error')).toBe(false);
    expect(failsPolicy(result, 'warning')).toBe(true);
  });
});

describe('suppressions of a run', () => {
  it('that match nothing raise policy.unused-suppression', () => {
    const policy = presetPolicy('webhook');
    policy.suppressions = [{ id: 'sni.required', endpoint: 'nowhere.test', reason: 'typo' }];
    const findings = unusedSuppressions(policy, [evaluate(scan(), policy, NOW)]);
    for (const finding of findings) raised.add(finding.id);
    expect(findings.map((finding) => [finding.id, finding.severity])).toEqual([
      ['policy.unused-suppression', 'notice'],
    ]);
  });
});

// Runs last: tests of a file run in order.
describe('the rows above', () => {
  it('raise every rule of the catalogue', () => {
    expect(RULE_IDS.filter((id) => !raised.has(id))).toEqual([]);
  });
});
