// Turns one endpoint's scan into findings and a verdict under a policy.
//
// Each address of the endpoint is checked on its own; a finding that comes out the same on
// several addresses is reported once, naming them all. Findings come out in a stable order:
// severity (error, warning, notice), then rule identifier, then address.

import type {
  EndpointResult,
  EndpointScan,
  Finding,
  NotScannedReason,
  Severity,
  Verdict,
} from '../model.js';
import { OBSERVATION } from '../probe/observations.js';
import {
  checkCertificates,
  checkClientCertificate,
  checkHandshakeStalls,
} from './checks/certificates.js';
import type { AddressContext, RawFinding } from './checks/context.js';
import {
  checkDhSize,
  checkGroups,
  checkSenderForwardSecrecy,
  checkServerPreference,
} from './checks/kex.js';
import {
  checkEveryHelloViolated,
  checkNoTlsAnswer,
  checkNotTls,
  checkObservations,
  checkRefusals,
  checkViolations,
  hasObservation,
  inconclusiveFinding,
  notTlsFinding,
  protocolViolationFinding,
  violationDetail,
} from './checks/probes.js';
import { checkNameRefused, checkSni } from './checks/sni.js';
import {
  checkAllowedSuites,
  checkKeyTypeMismatch,
  checkListedSuites,
  checkWeakSuites,
} from './checks/suites.js';
import { checkVersions } from './checks/versions.js';
import type { FailOn, Policy } from './policy.js';
import { adviceOnly } from './remediation.js';
import { ruleById } from './rules.js';
import { applySuppressions } from './suppress.js';
import { listText, versionLabel } from './text.js';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

const ADDRESS_CHECKS: ((context: AddressContext) => RawFinding[])[] = [
  checkVersions,
  checkListedSuites,
  checkKeyTypeMismatch,
  checkAllowedSuites,
  checkWeakSuites,
  checkSenderForwardSecrecy,
  checkServerPreference,
  checkDhSize,
  checkGroups,
  checkRefusals,
  checkViolations,
  checkCertificates,
  checkClientCertificate,
  checkSni,
  checkObservations,
  checkIncompleteEnumerations,
];

/** Enumerations that stopped early leave some suites unknown. */
function checkIncompleteEnumerations(context: AddressContext): RawFinding[] {
  // The engine says so itself when it can; its observation already went to the list.
  if (hasObservation(context, OBSERVATION.incomplete)) {
    return [];
  }
  const incomplete = context.address.suites.filter((enumeration) => !enumeration.complete);
  if (incomplete.length > 0) {
    const versions = listText(incomplete.map((entry) => versionLabel(entry.version)));
    context.inconclusive.push(
      `every suite accepted with ${versions} (some suite probes got no answer)`,
    );
  }
  return [];
}

const NOT_SCANNED_TEXT: Record<Exclude<NotScannedReason, 'not-tls'>, [string, string]> = {
  dns: ['the name did not resolve', 'Check the endpoint name: a sender cannot resolve it either.'],
  refused: [
    'the connection was refused',
    'Check that the server listens on this port and that firewalls let senders in.',
  ],
  timeout: [
    'the connection timed out',
    'Check that the server is up and that no firewall or middlebox drops connections or ' +
      'ClientHellos from senders.',
  ],
  error: ['the scan failed', 'Scan again; if the failure stays, the detail says why.'],
};

/** Why an endpoint, or one address of it, was not scanned, as a finding. */
// What the engine's detail adds to the reason's words: "connection refused (ECONNREFUSED)"
// after "the connection was refused" adds only the error code.
const RESTATEMENTS: Partial<Record<NotScannedReason, RegExp>> = {
  refused: /^connection refused\s*/i,
  timeout: /^(the )?(tcp )?connection timed out\s*/i,
};

function detailBeyond(reason: NotScannedReason, detail: string): string {
  const rest = detail.replace(RESTATEMENTS[reason] ?? /^$/, '').trim();
  if (rest === '') {
    return '';
  }
  return rest.startsWith('(') && rest.endsWith(')') ? ` ${rest}` : ` (${rest})`;
}

function notScannedFinding(reason: NotScannedReason, detail: string, port: number): RawFinding {
  if (reason === 'not-tls') {
    return notTlsFinding(port, detail);
  }
  // The server answered, only not by the rules: a fault of its own, not of the connection.
  const violation = reason === 'error' ? violationDetail(detail) : undefined;
  if (violation !== undefined) {
    return protocolViolationFinding([{ detail: violation }]);
  }
  const [what, advice] = NOT_SCANNED_TEXT[reason];
  return {
    id: 'endpoint.not-scanned',
    observed: `not scanned: ${what}${detailBeyond(reason, detail)}`,
    expected:
      reason === 'dns'
        ? `a name that resolves to a TLS server on port ${port}`
        : `a TLS server that accepts connections on port ${port} and answers a ClientHello`,
    remediation: adviceOnly(advice),
  };
}

/**
 * Refused, or no route to it: a sender that tries the endpoint's addresses in turn moves on to
 * the next at once. Once a connection is made, a failure is the sender's failure too.
 */
function connectionRefused(notScanned: { reason: NotScannedReason; detail: string }): boolean {
  return (
    notScanned.reason === 'refused' ||
    (notScanned.reason === 'error' && /EHOSTUNREACH|ENETUNREACH/.test(notScanned.detail))
  );
}

function addressRefusedFinding(context: AddressContext, detail: string): RawFinding {
  const { address, endpoint } = context;
  return {
    id: 'endpoint.address-refused',
    observed:
      `${endpoint.host} resolves to ${address.address}, which refuses connections ` +
      `(${detail.replace(/^connection refused\s*/i, '').replace(/^\((.*)\)$/, '$1')}), ` +
      'while another address serves TLS: senders that try it first move on to the next',
    expected: `every address of ${endpoint.host} serving TLS on port ${endpoint.port}`,
    remediation: adviceOnly(
      `Make the server listen on ${address.address} too, or remove that address from the ` +
        `DNS records of ${endpoint.host} (an AAAA record for an IPv6 address).`,
    ),
  };
}

function endpointFindings(scan: EndpointScan): RawFinding[] {
  const reason = scan.notScanned?.reason ?? 'error';
  const detail = scan.notScanned?.detail ?? 'no address was scanned';
  return [notScannedFinding(reason, detail, scan.endpoint.port)];
}

function addressFindings(context: AddressContext): RawFinding[] {
  // An address that could not be scanned while another could holds no results to check.
  const { notScanned } = context.address;
  if (notScanned && connectionRefused(notScanned)) {
    return [addressRefusedFinding(context, notScanned.detail)];
  }
  if (notScanned) {
    // Connected, and then no TLS scan: a sender that reaches this address fails there too. The
    // endpoint itself was scanned on another address, so the words name the address.
    const finding = notScannedFinding(notScanned.reason, notScanned.detail, context.endpoint.port);
    return [
      finding.id === 'endpoint.not-scanned'
        ? { ...finding, id: 'endpoint.address-not-scanned' }
        : finding,
    ];
  }

  const notTls = checkNotTls(context);
  if (notTls) {
    return [notTls];
  }

  const noAnswer = checkNoTlsAnswer(context);
  if (noAnswer) {
    return [noAnswer];
  }

  const violated = checkEveryHelloViolated(context);
  if (violated) {
    return [violated];
  }
  const nameRefused = checkNameRefused(context);
  if (nameRefused) {
    return [nameRefused];
  }
  const stalls = checkHandshakeStalls(context);
  if (stalls) {
    return [stalls];
  }

  let findings = ADDRESS_CHECKS.flatMap((check) => check(context));
  // A key mismatch says why no version connects: TLS 1.2 is on, and no suite of it fits the
  // certificate (case 5). "No version supported", with its fix to enable TLS 1.2, would send
  // the reader the wrong way.
  if (findings.some((finding) => finding.id === 'suites.certificate-key-mismatch')) {
    findings = findings.filter((finding) => finding.id !== 'version.none-supported');
  }
  const inconclusive = inconclusiveFinding(context);
  return inconclusive ? [...findings, inconclusive] : findings;
}

interface Located {
  raw: RawFinding;
  addresses: string[];
}

/** One finding per distinct evidence, naming every address it was seen on. */
function mergeAcrossAddresses(
  perAddress: { address: string; findings: RawFinding[] }[],
): Located[] {
  const merged = new Map<string, Located>();
  for (const { address, findings } of perAddress) {
    for (const raw of findings) {
      const key = JSON.stringify([raw.id, raw.sni, raw.observed, raw.expected]);
      const existing = merged.get(key);
      if (existing) {
        if (!existing.addresses.includes(address)) existing.addresses.push(address);
      } else {
        merged.set(key, { raw, addresses: [address] });
      }
    }
  }
  return [...merged.values()];
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
    (a.address ?? '').localeCompare(b.address ?? '')
  );
}

/** Every finding of one endpoint under a policy, and its verdict. */
export function evaluate(scan: EndpointScan, policy: Policy, now: Date): EndpointResult {
  const { endpoint } = scan;
  const scanned = scan.status === 'scanned' && scan.addresses.length > 0;

  let located: Located[];
  if (scanned) {
    located = mergeAcrossAddresses(
      scan.addresses.map((address) => ({
        address: address.address,
        findings: addressFindings({
          endpoint,
          address,
          policy,
          now,
          inconclusive: [],
          inconclusiveReasons: [],
        }),
      })),
    );
  } else {
    located = endpointFindings(scan).map((raw) => ({ raw, addresses: [] }));
  }

  const findings: Finding[] = [];
  for (const { raw, addresses } of located) {
    const severity = policy.severities[raw.id];
    const rule = ruleById(raw.id);
    if (severity === undefined || severity === 'off' || !rule) {
      continue;
    }
    findings.push({
      id: raw.id,
      title: rule.title,
      severity,
      endpoint: endpoint.input,
      ...(addresses.length > 0 ? { address: addresses.join(', ') } : {}),
      ...(raw.sni !== undefined ? { sni: raw.sni } : {}),
      evidence: { observed: raw.observed, expected: raw.expected },
      remediation: raw.remediation,
    });
  }

  const final = applySuppressions(findings, endpoint, policy.suppressions, now).sort(
    compareFindings,
  );
  return { scan, verdict: verdictOf(scan, final, policy.failOn), findings: final };
}

/**
 * The lowest severity that makes an endpoint non-compliant: the fail-on threshold, so that the
 * verdict and the run's exit agree. Errors always count: with fail-on `never` the verdict still
 * says what is wrong, only the exit ignores it.
 */
function verdictThreshold(failOn: FailOn): Severity {
  return failOn === 'never' ? 'error' : failOn;
}

function reachesThreshold(finding: Finding, threshold: Severity): boolean {
  return !finding.suppressed && SEVERITY_RANK[finding.severity] <= SEVERITY_RANK[threshold];
}

function verdictOf(scan: EndpointScan, findings: Finding[], failOn: FailOn): Verdict {
  // A port that answers without TLS, or in violation of it, was reached: it is judged.
  const reached =
    scan.notScanned?.reason === 'not-tls' ||
    (scan.notScanned?.reason === 'error' && violationDetail(scan.notScanned.detail) !== undefined);
  if (
    (scan.status === 'not-scanned' && !reached) ||
    (scan.status === 'scanned' && scan.addresses.length === 0)
  ) {
    return 'not-scanned';
  }
  const threshold = verdictThreshold(failOn);
  const fails = findings.some((finding) => reachesThreshold(finding, threshold));
  return fails ? 'non-compliant' : 'compliant';
}

/** An endpoint's verdict under another fail-on: a merge job's own, for one. */
export function verdictAt(result: EndpointResult, failOn: FailOn): Verdict {
  return verdictOf(result.scan, result.findings, failOn);
}

/**
 * Whether an endpoint fails the run: some finding that is not suppressed has at least the
 * fail-on severity. Not-scanned endpoints fail through their `endpoint.not-scanned` finding
 * (an error unless the policy changes it). Under the same fail-on a scanned endpoint fails
 * exactly when its verdict is non-compliant, except with `never`, which fails nothing.
 */
export function failsPolicy(result: EndpointResult, failOn: FailOn): boolean {
  if (failOn === 'never') {
    return false;
  }
  return result.findings.some((finding) => reachesThreshold(finding, failOn));
}
