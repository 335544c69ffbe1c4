// How the server answered the probes themselves: a port that does not speak TLS, refusals
// without alerts (reset, close), protocol violations, the engine's own observations, and the
// questions no probe could settle (timeouts, errors).

import type { ProbeOutcome } from '../../model.js';
import { OBSERVATION } from '../../probe/observations.js';
import { suiteName } from '../../wire/suites.js';
import { adviceOnly, alertsFix } from '../remediation.js';
import { listText, outcomeText, versionLabel } from '../text.js';
import { type AddressContext, anyVersionAccepted, type RawFinding } from './context.js';

/** Every probe outcome of the address, with a name for the evidence. */
function namedOutcomes(context: AddressContext): { name: string; outcome: ProbeOutcome }[] {
  const { address } = context;
  const named = address.versions.map((support) => ({
    name: `the ${versionLabel(support.version)} hello`,
    outcome: support.outcome,
  }));
  named.push({ name: 'the hello with the listed suites', outcome: address.listedSuites });
  named.push({ name: "the sender's hello", outcome: address.sender.outcome });
  for (const probe of address.certificates.keyTypes ?? []) {
    named.push({
      name: `the ${versionLabel(probe.version)} hello asking for an ${probe.keyType} certificate`,
      outcome: probe.outcome,
    });
  }
  const { sni } = address.certificates;
  if (sni.noSniOutcome) {
    named.push({ name: 'the hello without SNI', outcome: sni.noSniOutcome });
  }
  if (sni.unknownNameOutcome) {
    named.push({ name: 'the hello naming an unknown host', outcome: sni.unknownNameOutcome });
  }
  return named;
}

/**
 * The address answered every version probe with something that is not TLS (case 3: plaintext
 * HTTP). Nothing else about it can be checked.
 */
export function checkNotTls(context: AddressContext): RawFinding | undefined {
  const { address, endpoint } = context;
  const outcomes = address.versions.map((support) => support.outcome);
  if (outcomes.length === 0 || !outcomes.every((outcome) => outcome.kind === 'not-tls')) {
    return undefined;
  }
  const details = [
    ...new Set(outcomes.map((outcome) => (outcome.kind === 'not-tls' ? outcome.detail : ''))),
  ];
  return notTlsFinding(endpoint.port, listText(details));
}

/**
 * Every hello, the first one offering every version and suite included, was closed or reset
 * before any reply. Refusing each version by closing is what a TLS server could do, but one that
 * refuses all of them shows no TLS at all: the findings of each version would only restate it.
 */
export function checkNoTlsAnswer(context: AddressContext): RawFinding | undefined {
  const outcomes = namedOutcomes(context).map(({ outcome }) => outcome);
  const silentEnd = (outcome: ProbeOutcome) =>
    outcome.kind === 'closed' || outcome.kind === 'reset';
  if (outcomes.length === 0 || !outcomes.every(silentEnd)) {
    return undefined;
  }

  const kinds = new Set(outcomes.map((outcome) => outcome.kind));
  const how = kinds.size === 2 ? 'closed or reset' : [...kinds][0];
  const port = context.endpoint.port;
  return {
    id: 'endpoint.no-tls-answer',
    observed:
      `every hello, the one offering every version and suite included, was ${how} before any ` +
      'reply: nothing on this port answers in TLS',
    expected: `a TLS handshake, or a TLS alert, on port ${port}`,
    remediation: adviceOnly(
      `Check that a TLS server listens on port ${port} and has a certificate: another ` +
        'service, or a TLS server whose set-up is broken (no certificate, a proxy without a ' +
        'back end), closes every connection like this.',
    ),
  };
}

export function notTlsFinding(port: number, detail: string): RawFinding {
  // The engine's own detail may already say it; the finding says it once.
  const what = detail.replace(/^this port does not speak TLS:?\s*/i, '');
  return {
    id: 'endpoint.not-tls',
    observed: `this port does not speak TLS (${what})`,
    expected: `a TLS handshake on port ${port}`,
    remediation: {
      summary:
        `Serve HTTPS on port ${port}: the port answers, but without TLS, so there is no ` +
        'handshake to fix, only TLS to switch on.',
      snippets: [
        { server: 'nginx', config: `listen ${port} ssl;` },
        { server: 'apache', config: `<VirtualHost *:${port}>\n    SSLEngine on\n</VirtualHost>` },
        { server: 'haproxy', config: `bind :${port} ssl crt /etc/haproxy/certs/` },
        {
          server: 'caddy',
          config: '# a site address without http:// gets HTTPS\nexample.com {\n}',
        },
        { server: 'node', config: 'https.createServer({ key, cert }, handler) // not http' },
      ],
    },
  };
}

export function checkRefusals(context: AddressContext): RawFinding[] {
  const improper = namedOutcomes(context)
    .filter(({ outcome }) => outcome.kind === 'reset' || outcome.kind === 'closed')
    .map(({ name, outcome }) => `${name} was ${outcomeText(outcome)}`);

  for (const enumeration of context.address.suites) {
    const kinds = [...new Set(enumeration.refusals)].filter((kind) => kind !== 'alert');
    if (kinds.length > 0) {
      const how = kinds.map((kind) =>
        kind === 'reset' ? 'a TCP reset' : 'a close without a fatal alert',
      );
      improper.push(
        `unwanted ${versionLabel(enumeration.version)} suites got ${listText(how, 'or')}`,
      );
    }
  }

  // The engine notices the same from the same data; its words serve when ours found nothing.
  if (improper.length === 0) {
    improper.push(...observationDetails(context, OBSERVATION.refusalWithoutAlert));
  }
  if (improper.length === 0) {
    return [];
  }
  return [
    {
      id: 'alerts.improper-refusal',
      observed: improper.join('; '),
      expected:
        'a fatal TLS alert for every refusal: protocol_version for a version, ' +
        'handshake_failure for suites (RFC 8446, Sections 4.1.1 and 4.2.1)',
      remediation: alertsFix(),
    },
  ];
}

/**
 * A violation as the wire layer words it, with suite codes named: "server chose suite 0x00ff
 * (TLS_EMPTY_RENEGOTIATION_INFO_SCSV), not offered".
 */
export function violationText(detail: string): string {
  return detail.replace(/\bsuite 0x([0-9a-f]{4})\b/gi, (whole, hex: string) => {
    const name = suiteName(Number.parseInt(hex, 16));
    return name.startsWith('0x') ? whole : `${whole} (${name})`;
  });
}

const VIOLATION_EXPECTED =
  'answers by the protocol: well-formed records (RFC 8446, Section 5.1) and a ServerHello ' +
  'choosing a version and a suite the client offered (RFC 8446, Section 4.1.3; RFC 5246, ' +
  'Section 7.4.1.3)';

/**
 * The server answers TLS, but only in violation of the protocol (case 6: it picks a suite that
 * was never offered on every hello). No sender can connect, and scanning again changes nothing:
 * its configuration or software is at fault.
 */
export function protocolViolationFinding(
  details: { detail: string; names?: string[] }[],
): RawFinding {
  const what = details.map(({ detail, names }) =>
    names && names.length > 0
      ? `${violationText(detail)} (to ${listText(names)})`
      : violationText(detail),
  );
  return {
    id: 'endpoint.protocol-violation',
    observed:
      'every hello the server answered was answered in violation of the protocol: ' +
      what.join('; '),
    expected: VIOLATION_EXPECTED,
    remediation: adviceOnly(
      "Correct the server's TLS configuration, or update the TLS software (or the load " +
        'balancer or proxy that terminates TLS): its answers break the protocol as observed ' +
        'above, and every sender aborts such a handshake. Scanning again will not change this.',
    ),
  };
}

/**
 * No version was accepted and some hello was answered in violation of the protocol: the
 * violations are why nothing was accepted, and the other rules would only restate it.
 */
export function checkEveryHelloViolated(context: AddressContext): RawFinding | undefined {
  if (anyVersionAccepted(context)) {
    return undefined;
  }
  // Each violation once, with the hellos it answered.
  const byDetail = new Map<string, string[]>();
  for (const { name, outcome } of namedOutcomes(context)) {
    if (outcome.kind === 'violation') {
      byDetail.set(outcome.detail, [...(byDetail.get(outcome.detail) ?? []), name]);
    }
  }
  const details = [...byDetail].map(([detail, names]) => ({ detail, names }));
  return details.length > 0 ? protocolViolationFinding(details) : undefined;
}

/** The engine's not-scanned detail for a server that breaks the protocol, without its lead. */
export function violationDetail(detail: string): string | undefined {
  const match = /^the server breaks the protocol:\s*(.*)$/is.exec(detail);
  return match ? match[1] : undefined;
}

export function checkViolations(context: AddressContext): RawFinding[] {
  const violations = [
    ...new Set([
      ...namedOutcomes(context)
        .filter(({ outcome }) => outcome.kind === 'violation')
        .map(
          ({ name, outcome }) =>
            `${name}: ${outcome.kind === 'violation' ? violationText(outcome.detail) : ''}`,
        ),
      ...observationDetails(context, ...VIOLATION_OBSERVATIONS).map(violationText),
    ]),
  ];
  if (violations.length === 0) {
    return [];
  }
  return [
    {
      id: 'probe.protocol-violation',
      observed: violations.join('; '),
      expected: VIOLATION_EXPECTED,
      remediation: adviceOnly(
        'Update the TLS library or the device that terminates TLS: clients abort such ' +
          'handshakes. The suite chosen is not counted as accepted.',
      ),
    },
  ];
}

// How the engine's observations (src/probe/observations.ts) become findings. Some restate what
// a rule already reads from the data (refusals without alerts, a server with no usable suite);
// those feed that rule instead of repeating it as a notice.
const VIOLATION_OBSERVATIONS: string[] = [
  OBSERVATION.versionAboveOffered,
  OBSERVATION.suiteNotOffered,
  OBSERVATION.protocolViolation,
];
const INCONCLUSIVE_OBSERVATIONS: string[] = [
  OBSERVATION.incomplete,
  OBSERVATION.deadlineReached,
  OBSERVATION.probeError,
];
const HANDLED_OBSERVATIONS: string[] = [
  ...VIOLATION_OBSERVATIONS,
  ...INCONCLUSIVE_OBSERVATIONS,
  OBSERVATION.refusalWithoutAlert,
  OBSERVATION.noUsableSuite,
  OBSERVATION.versionIntolerance,
];

export function observationDetails(context: AddressContext, ...ids: string[]): string[] {
  return context.address.observations
    .filter((observation) => ids.includes(observation.id))
    .map((observation) => observation.detail);
}

export function hasObservation(context: AddressContext, id: string): boolean {
  return context.address.observations.some((observation) => observation.id === id);
}

export function checkObservations(context: AddressContext): RawFinding[] {
  const findings: RawFinding[] = [];

  // A server that fails a hello offering a version it lacks, instead of negotiating down,
  // fails every sender whose library offers that version (RFC 8446, Section 4.2.1).
  const intolerance = observationDetails(context, OBSERVATION.versionIntolerance);
  if (intolerance.length > 0) {
    findings.push({
      id: 'probe.version-intolerance',
      observed: intolerance.join('; '),
      expected:
        'a hello offering a newer version than the server has is answered in the highest ' +
        'version both have (RFC 5246, Appendix E.1; RFC 8446, Section 4.2.1)',
      remediation: adviceOnly(
        'Update the TLS library or the device in front of the server (load balancer, ' +
          'firewall): it must negotiate down, not fail.',
      ),
    });
  }

  // The engine's own words say why, not what is undecided: they go apart from the clauses.
  for (const detail of observationDetails(context, ...INCONCLUSIVE_OBSERVATIONS)) {
    if (!context.inconclusiveReasons.includes(detail)) context.inconclusiveReasons.push(detail);
  }

  for (const observation of context.address.observations) {
    if (HANDLED_OBSERVATIONS.includes(observation.id)) continue;
    findings.push({
      id: 'probe.observation',
      observed: `${observation.id}: ${observation.detail}`,
      expected: 'nothing unusual',
      remediation: adviceOnly('Read the observation; it may explain other findings.'),
    });
  }
  return findings;
}

/** Everything the checks could not decide, as one finding. */
export function inconclusiveFinding(context: AddressContext): RawFinding | undefined {
  const { inconclusive, inconclusiveReasons } = context;
  if (inconclusive.length === 0 && inconclusiveReasons.length === 0) {
    return undefined;
  }
  const undecided = inconclusive.length > 0 ? `could not determine ${inconclusive.join('; ')}` : '';
  const noted =
    inconclusiveReasons.length > 0 ? `scan noted: ${inconclusiveReasons.join('; ')}` : '';
  // Answers that broke the protocol leave things undecided that no second scan decides.
  const violated =
    VIOLATION_OBSERVATIONS.some((id) => hasObservation(context, id)) ||
    namedOutcomes(context).some(({ outcome }) => outcome.kind === 'violation');
  return {
    id: 'probe.inconclusive',
    observed: undecided && noted ? `${undecided}. The ${noted}` : undecided || `the ${noted}`,
    expected: 'an answer to every probe: a handshake or a TLS alert',
    remediation: adviceOnly(
      violated
        ? 'The protocol violations reported for this endpoint left these questions open: ' +
            'fix them, and scan again.'
        : 'Scan again, with longer timeouts if the server is slow. A server that stays ' +
            'silent instead of refusing with an alert (RFC 8446, Section 6.2) makes senders ' +
            'wait for their own timeout.',
    ),
  };
}
