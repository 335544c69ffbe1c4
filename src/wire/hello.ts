// PLACEHOLDER SIGNATURE: the wire layer's owner replaces this file with the real builder.
import type { TlsVersion } from '../model.js';

export interface HelloOptions {
  /** Highest version offered. TLS 1.3 is offered through supported_versions (RFC 8446, 4.2.1). */
  version: TlsVersion;
  /** Suite codes, in preference order; at most 128. */
  suites: number[];
  /** SNI host name; null or absent sends none (never an IP literal, RFC 6066, Section 3). */
  serverName?: string | null;
  /** supported_groups; a sensible default when absent. */
  groups?: number[];
  /** TLS 1.3 key_share entries (real public keys); defaults to the first of `groups`. */
  keyShareGroups?: number[];
  signatureSchemes?: number[];
  alpn?: string[];
  statusRequest?: boolean;
}

export declare function buildClientHello(options: HelloOptions): Uint8Array;
