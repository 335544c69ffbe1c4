// Real servers started once for a test file, each scanned once with the default options, and
// stopped when the file is done; the tests then read each scan by the server's name.

import { afterAll, beforeAll } from 'vitest';
import type { AddressScan, EndpointScan } from '../../src/model.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import type { RunningServer } from '../support/servers.js';

export interface ScannedServers<Name extends string> {
  servers: Map<Name, RunningServer>;
  scans: Map<Name, EndpointScan>;
  /** The scan of the server's only address. */
  address(name: Name): AddressScan;
}

/** Registers the hooks that start the servers, scan them all at once, and stop them. */
export function scanServersOnce<Name extends string>(
  start: () => Promise<Record<Name, RunningServer>>,
): ScannedServers<Name> {
  const servers = new Map<Name, RunningServer>();
  const scans = new Map<Name, EndpointScan>();

  beforeAll(async () => {
    const started = await start();
    const names = Object.keys(started) as Name[];
    for (const name of names) servers.set(name, started[name]);

    const results = await scanEndpoints(
      names.map((name) => parseEndpoint(started[name].endpoint)),
      { ...DEFAULT_SCAN_OPTIONS },
    );
    for (const [index, name] of names.entries()) scans.set(name, results[index]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  });

  return { servers, scans, address: (name) => scans.get(name)!.addresses[0] };
}
