// Scans a list of endpoints: resolves each hostname, scans every address it has (up to a
// limit), keeps to the concurrency limits (endpoints at once, connections at once per address)
// and to each endpoint's deadline, and reports how the addresses of one endpoint differ.
// One endpoint's failure (DNS, refused, timeout, not TLS, a bug) becomes its result, never an
// exception that loses the others.

import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import pLimit, { type LimitFunction } from 'p-limit';
import { checkCertificates, prepareCertificateChecks } from '../cert/index.js';
import type {
  AddressScan,
  Endpoint,
  EndpointScan,
  NotScannedReason,
  ScanOptions,
} from '../model.js';
import { WEBHOOK_LISTED_SUITES } from '../policy/presets/webhook.js';
import { type CertificateChecker, scanAddress } from './address.js';
import { probeHello } from './connection.js';
import { OBSERVATION } from './observations.js';
import type { ProbeFunction } from './prober.js';
import { ConnectionRate } from './rate.js';

/**
 * Settings for a scan when nothing else is said. `now` is read each time the object is
 * spread, so a long-lived process does not judge certificates by the time it started.
 */
export const DEFAULT_SCAN_OPTIONS: ScanOptions = Object.freeze({
  connectTimeoutMs: 5_000,
  readTimeoutMs: 10_000,
  endpointDeadlineMs: 180_000,
  perHostConcurrency: 4,
  concurrency: 8,
  maxAddresses: 4,
  // The webhook requirements' suites, in their order: what a sender following them offers.
  listedSuites: [...WEBHOOK_LISTED_SUITES],
  extraCaPem: [],
  get now() {
    return new Date();
  },
});

/** What a scan uses from outside, replaceable in tests. */
export interface ScanEngine {
  probe?: ProbeFunction;
  resolve?: (host: string) => Promise<{ address: string; family: 4 | 6 }[]>;
  checkCertificates?: CertificateChecker;
}

export interface ScanHooks {
  /** Called once per endpoint, as soon as its scan is done. */
  onEndpointDone?(scan: EndpointScan): void;
}

/** Scans every endpoint; one result per endpoint, in the same order, never a rejection. */
export async function scanEndpoints(
  endpoints: Endpoint[],
  options: ScanOptions,
  hooks: ScanHooks = {},
  engine: ScanEngine = {},
): Promise<EndpointScan[]> {
  if (engine.checkCertificates === undefined && endpoints.length > 0) {
    prepareCertificateChecks();
  }
  const endpointLimit = pLimit(Math.max(1, options.concurrency));
  const addressLimits = new Map<string, LimitFunction>();
  const limitFor = (address: string): LimitFunction => {
    let limit = addressLimits.get(address);
    if (!limit) {
      limit = pLimit(Math.max(1, options.perHostConcurrency));
      addressLimits.set(address, limit);
    }
    return limit;
  };

  // One rate for the whole scan: the limit is global, across endpoints and addresses.
  const rate = options.rateLimit ? new ConnectionRate(options.rateLimit) : null;

  // Endpoints that differ only in their path are one TLS endpoint: it is scanned once.
  const scansByHostPort = new Map<string, Promise<Omit<EndpointScan, 'endpoint'>>>();

  return Promise.all(
    endpoints.map(async (endpoint) => {
      const key = `${endpoint.host}\n${endpoint.port}`;
      let pending = scansByHostPort.get(key);
      const shared = pending !== undefined;
      if (!pending) {
        pending = endpointLimit(() => scanEndpoint(endpoint, options, limitFor, engine, rate));
        scansByHostPort.set(key, pending);
      }

      const result = await pending;
      const scan: EndpointScan = { ...(shared ? structuredClone(result) : result), endpoint };
      try {
        hooks.onEndpointDone?.(scan);
      } catch {
        // A failing progress hook must not lose the scan; the caller sees the result anyway.
      }
      return scan;
    }),
  );
}

async function scanEndpoint(
  endpoint: Endpoint,
  options: ScanOptions,
  limitFor: (address: string) => LimitFunction,
  engine: ScanEngine,
  rate: ConnectionRate | null,
): Promise<Omit<EndpointScan, 'endpoint'>> {
  const startedAt = new Date();
  const deadline = startedAt.getTime() + options.endpointDeadlineMs;
  const notScanned = (reason: NotScannedReason, detail: string) => ({
    status: 'not-scanned' as const,
    notScanned: { reason, detail },
    addresses: [],
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  });

  // The probes stop starting at the deadline and their timeouts shrink to it; this outer
  // limit only guards against a scan that fails to end for some other reason.
  const grace = options.connectTimeoutMs + options.readTimeoutMs + 1_000;
  let timer: NodeJS.Timeout | undefined;
  const overtime = new Promise<'overtime'>((resolve) => {
    timer = setTimeout(() => resolve('overtime'), options.endpointDeadlineMs + grace);
  });

  try {
    const work = scanAddresses(endpoint, options, limitFor, engine, deadline, rate);
    const outcome = await Promise.race([work, overtime]);
    if (outcome === 'overtime') {
      return notScanned('timeout', `the scan did not finish within its deadline`);
    }
    if ('reason' in outcome) {
      return notScanned(outcome.reason, outcome.detail);
    }

    const addresses = outcome.addresses;
    addDifferenceObservations(addresses);
    const reachable = addresses.filter((scan) => !scan.notScanned);
    const base = {
      addresses,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
    };
    if (reachable.length === 0) {
      const first = addresses[0].notScanned!;
      return { status: 'not-scanned', notScanned: { ...first }, ...base };
    }
    return { status: 'scanned', ...base };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return notScanned('error', `internal error while scanning: ${detail}`);
  } finally {
    clearTimeout(timer);
  }
}

async function scanAddresses(
  endpoint: Endpoint,
  options: ScanOptions,
  limitFor: (address: string) => LimitFunction,
  engine: ScanEngine,
  deadline: number,
  rate: ConnectionRate | null,
): Promise<{ addresses: AddressScan[] } | { reason: NotScannedReason; detail: string }> {
  let resolved: { address: string; family: 4 | 6 }[];
  if (endpoint.hostIsIp) {
    resolved = [{ address: endpoint.host, family: isIPv6(endpoint.host) ? 6 : 4 }];
  } else {
    try {
      resolved = await (engine.resolve ?? resolveHost)(endpoint.host);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { reason: 'dns', detail: `${endpoint.host} does not resolve: ${detail}` };
    }
    if (resolved.length === 0) {
      return { reason: 'dns', detail: `${endpoint.host} resolves to no address` };
    }
  }

  const selected = resolved.slice(0, Math.max(1, options.maxAddresses));
  const addresses = await Promise.all(
    selected.map(({ address, family }) =>
      scanAddress({
        endpoint,
        address,
        family,
        options,
        limit: limitFor(address),
        deadline,
        probe: engine.probe ?? probeHello,
        ...(rate ? { rate } : {}),
        checkCertificates: engine.checkCertificates ?? checkCertificates,
      }),
    ),
  );
  if (resolved.length > selected.length) {
    const skipped = resolved.length - selected.length;
    for (const scan of addresses) {
      scan.observations.push({
        id: OBSERVATION.addressDifference,
        detail:
          `${endpoint.host} has ${resolved.length} addresses; ${skipped} were not scanned ` +
          `(at most ${selected.length})`,
      });
    }
  }
  return { addresses };
}

async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }[]> {
  // RFC 6761 Section 6.4: names under .invalid never resolve, and resolvers should say so at
  // once; asking DNS would only leak the name and wait on the network.
  if (/(^|\.)invalid$/i.test(host)) {
    throw new Error('names under .invalid never resolve (RFC 6761)');
  }

  const found = await lookup(host, { all: true });
  const unique = new Map(found.map((entry) => [entry.address, entry]));
  return [...unique.values()].map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));
}

// ---------------------------------------------------------------------------------------------
// Differences between addresses

/** A sender reaches any one of the addresses, so each one that answers differently is noted. */
function addDifferenceObservations(addresses: AddressScan[]): void {
  if (addresses.length < 2) {
    return;
  }

  const [first, ...others] = addresses;
  for (const other of others) {
    const differences = describeDifferences(first, other);
    if (differences.length === 0) continue;

    // The same words on both addresses, so that a report shows the difference once, naming
    // both of them.
    const observation = {
      id: OBSERVATION.addressDifference,
      detail: `${first.address} and ${other.address} answer differently: ${differences.join('; ')}`,
    };
    first.observations.push(observation);
    other.observations.push({ ...observation });
  }
}

/** What differs between two address scans, in words, taking `a` as the reference. */
export function describeDifferences(a: AddressScan, b: AddressScan): string[] {
  const label = (scan: AddressScan) => scan.address;
  if (a.notScanned || b.notScanned) {
    // One scanned and one not: the policy's finding for the one not scanned names it and says
    // why (endpoint.address-refused, endpoint.not-scanned), which this would only restate.
    if (!a.notScanned || !b.notScanned || a.notScanned.reason === b.notScanned.reason) return [];
    const state = (scan: AddressScan) =>
      scan.notScanned ? `not scanned (${scan.notScanned.reason})` : 'scanned';
    return [`${label(a)} is ${state(a)}, ${label(b)} is ${state(b)}`];
  }

  const differences: string[] = [];
  for (const support of a.versions) {
    const other = b.versions.find((entry) => entry.version === support.version);
    if (other && other.accepted !== support.accepted) {
      const word = (accepted: boolean | null) =>
        accepted === null ? 'inconclusive' : accepted ? 'accepted' : 'refused';
      differences.push(
        `${support.version} ${word(support.accepted)} at ${label(a)}, ` +
          `${word(other.accepted)} at ${label(b)}`,
      );
    }
  }

  const sortedCodes = (list: { code: number }[]) =>
    list
      .map((suite) => suite.code)
      .sort((x, y) => x - y)
      .join();
  for (const suites of a.suites) {
    const other = b.suites.find((entry) => entry.version === suites.version);
    if (!other) continue;
    if (sortedCodes(suites.accepted) !== sortedCodes(other.accepted)) {
      differences.push(
        `${suites.version} suites differ (${suites.accepted.length} at ${label(a)}, ` +
          `${other.accepted.length} at ${label(b)})`,
      );
    } else if (suites.preference !== other.preference) {
      differences.push(`${suites.version} suite preference differs`);
    } else if (
      suites.preference === 'server' &&
      suites.accepted.map((s) => s.code).join() !== other.accepted.map((s) => s.code).join()
    ) {
      differences.push(`${suites.version} suite order differs`);
    }
  }

  for (const groups of a.groups) {
    const other = b.groups.find((entry) => entry.version === groups.version);
    if (
      other &&
      sortedCodes(groups.groups.map((code) => ({ code }))) !==
        sortedCodes(other.groups.map((code) => ({ code })))
    ) {
      differences.push(`${groups.version} groups differ`);
    }
  }

  const leaf = (scan: AddressScan) => scan.certificates.primary?.served[0]?.fingerprintSha256;
  if (leaf(a) !== leaf(b)) {
    differences.push('the certificate differs');
  }
  return differences;
}
