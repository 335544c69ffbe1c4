// Case 6 end to end: a scripted server that answers every ClientHello with a ServerHello naming
// a suite never offered, scanned by the engine and judged by the webhook policy. Whether the
// engine reports it scanned (violations in every outcome) or not scanned ("the server breaks
// the protocol"), the verdict is non-compliant with one error that names the violation. And the
// same kind of fault a tester found: a ServerHello, then silence.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointScan } from '../../src/model.js';
import { evaluate, failsPolicy, presetPolicy } from '../../src/policy/index.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { factsOf } from '../../src/report/index.js';
import { encodeFlight, encodeServerHello } from '../../src/wire/server.js';
import { makeSelfSigned } from '../support/pki.js';
import {
  offered,
  type ScriptedServer,
  startScriptedServer,
  tls12Flight,
} from '../support/scripted.js';

let server: ScriptedServer | undefined;

beforeAll(async () => {
  const certificate = (await makeSelfSigned({ keyType: 'rsa2048' })).certDer;
  // 0xFEFF is no suite of the registry, so no hello ever offers it.
  server = await startScriptedServer(() => ({
    kind: 'reply',
    bytes: tls12Flight({ suite: 0xfeff, certificates: [certificate] }),
  }));
});

afterAll(async () => {
  await server?.stop();
});

/** One scan with short timeouts: these servers answer at once or never. */
async function scanQuickly(endpoint: string, now: Date): Promise<EndpointScan> {
  const [scan] = await scanEndpoints([parseEndpoint(endpoint)], {
    ...DEFAULT_SCAN_OPTIONS,
    connectTimeoutMs: 1_000,
    readTimeoutMs: 500,
    endpointDeadlineMs: 30_000,
    now,
  });
  return scan;
}

it('case 6: a suite never offered on every hello is a non-compliant protocol violation', async () => {
  const endpoint = parseEndpoint((server as ScriptedServer).endpoint);
  const now = new Date();
  const [scan] = await scanEndpoints([endpoint], {
    ...DEFAULT_SCAN_OPTIONS,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 2_000,
    endpointDeadlineMs: 30_000,
    now,
  });
  const policy = presetPolicy('webhook');
  const result = evaluate(scan, policy, now);

  expect(result.verdict).toBe('non-compliant');
  expect(failsPolicy(result, policy.failOn)).toBe(true);
  const errors = result.findings.filter((finding) => finding.severity === 'error');
  expect(errors.map((finding) => finding.id)).toEqual(['endpoint.protocol-violation']);
  expect(errors[0].evidence.observed).toMatch(/violation of the protocol/);
  expect(errors[0].evidence.observed).toMatch(/0xfeff|0xFEFF/);
  expect(errors[0].evidence.observed).toMatch(/not offered/);
  expect(errors[0].remediation.summary).toMatch(/^Correct the server's TLS configuration/);
}, 40_000);

it('a ServerHello and then silence is a stalled handshake, never compliant', async () => {
  // TLS_RSA_WITH_AES_128_GCM_SHA256 is taken from any hello that offers it, and nothing follows.
  const suite = 0x009c;
  const stalling = await startScriptedServer((hello) => {
    const offered = hello.clientHello?.suites.includes(suite) === true;
    if (!offered) return { kind: 'alert', description: 40 };
    const serverHello = encodeServerHello({ version: 'TLSv1.2', suite });
    return { kind: 'reply', bytes: encodeFlight(0x0303, [serverHello]), after: 'wait' };
  });
  try {
    const now = new Date();
    const scan = await scanQuickly(stalling.endpoint, now);
    const certificates = scan.addresses[0].certificates;
    expect(certificates.primary).toBeNull();
    expect(certificates.stalledAfterServerHello).toBe(true);

    const policy = presetPolicy('webhook');
    const result = evaluate(scan, policy, now);
    expect(result.verdict).toBe('non-compliant');
    // Alone: the suite its ServerHellos name was never usable (a tester saw an RC4 suite
    // called accepted and insecure beside the stall).
    expect(result.findings.map((finding) => finding.id)).toEqual(['endpoint.handshake-stalls']);

    // The overview gives a sender nothing, not the suite and its forward secrecy (a tester).
    const facts = factsOf(result);
    expect(facts.senderSuite).toBe(
      'none: TLS_RSA_WITH_AES_128_GCM_SHA256 named, then the handshake stalls',
    );
    expect(facts.forwardSecrecy).toBe('—');
  } finally {
    await stalling.stop();
  }
}, 40_000);

it('a server that stops on reading our close_notify is asked again without it, not stalled', async () => {
  // It sends its ServerHello, then closes when the alert written behind the hello is already
  // there (a strict reader that stops at the first record it does not expect), and otherwise
  // its whole flight. The certificate check's retry goes out without the alert.
  const suite = 0x009c;
  const certificate = (await makeSelfSigned({ keyType: 'rsa2048' })).certDer;
  let withAlert = 0;
  const strict = await startScriptedServer((hello) => {
    if (!offered(hello, suite)) return { kind: 'alert', description: 40 };
    const alertBehind = hello.received.length > hello.recordLength + 5;
    if (alertBehind) {
      withAlert += 1;
      const serverHello = encodeServerHello({ version: 'TLSv1.2', suite });
      return { kind: 'reply', bytes: encodeFlight(0x0303, [serverHello]), after: 'close' };
    }
    return { kind: 'reply', bytes: tls12Flight({ suite, certificates: [certificate] }) };
  });
  try {
    const now = new Date();
    const scan = await scanQuickly(strict.endpoint, now);
    const certificates = scan.addresses[0].certificates;
    expect(withAlert).toBeGreaterThan(0);
    expect(certificates.stalledAfterServerHello).not.toBe(true);
    expect(certificates.primary?.served).toHaveLength(1);

    const result = evaluate(scan, presetPolicy('webhook'), now);
    expect(result.findings.map((finding) => finding.id)).not.toContain('endpoint.handshake-stalls');
  } finally {
    await strict.stop();
  }
}, 40_000);

it('a port that closes every connection before any reply has one finding: no TLS answer', async () => {
  const closing = await startScriptedServer(() => ({ kind: 'close' }));
  try {
    const now = new Date();
    const scan = await scanQuickly(closing.endpoint, now);
    const result = evaluate(scan, presetPolicy('webhook'), now);

    expect(result.verdict).toBe('non-compliant');
    expect(result.findings.map((finding) => finding.id)).toEqual(['endpoint.no-tls-answer']);
  } finally {
    await closing.stop();
  }
}, 40_000);
