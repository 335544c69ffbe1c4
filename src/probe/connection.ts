// One probe: open a TCP connection, send one ClientHello, read the server's first flight and
// classify how it ended. Everything above this (enumeration, preference, certificates) is
// built from many calls to probeHello.
//
// PLACEHOLDER SIGNATURE: the wire layer's owner replaces this file with the real thing.

import type { ProbeOutcome } from '../model.js';
import type { HelloOptions } from '../wire/hello.js';

export interface ProbeTarget {
  /** Address to connect to (IP literal). */
  address: string;
  port: number;
}

export interface ProbeTimeouts {
  connectMs: number;
  readMs: number;
}

export interface HelloProbeResult {
  outcome: ProbeOutcome;
  /** DER certificates from the Certificate message, as served (TLS 1.2 and below, or 1.3 once
   *  decrypted). Empty when none was seen. */
  certificates: Uint8Array[];
  /** The server stapled an OCSP response (status_request answered). */
  ocspStapled: boolean;
  /** Warning alerts read before the rest of the flight, for example unrecognized_name. */
  warnings: number[];
}

export declare function probeHello(
  target: ProbeTarget,
  hello: HelloOptions,
  timeouts: ProbeTimeouts,
): Promise<HelloProbeResult>;
