// Endpoints as users write them, turned into host, port and path. The accepted forms are
// `https://host[:port][/path]`, `host`, `host:port` and `[v6addr][:port]`, with 443 as the
// default port; everything else is refused with a message that names the input, because a typo
// in an endpoint list must never turn into a silently skipped or mis-scanned endpoint.

import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import type { Endpoint } from '../model.js';

export const DEFAULT_PORT = 443;

/** An endpoint that cannot be parsed; the message names the input (and its line, if any). */
export class EndpointError extends Error {
  override name = 'EndpointError';
}

/** Parses one endpoint; throws EndpointError naming the input when it is not a usable one. */
export function parseEndpoint(text: string, source?: { file: string; line: number }): Endpoint {
  const input = text.trim();
  const fail = (reason: string): never => {
    const where = source ? `${source.file}:${source.line}: ` : '';
    throw new EndpointError(`${where}"${input}" is not a usable endpoint: ${reason}`);
  };

  if (input === '') {
    fail('it is empty');
  }
  if (/\s/.test(input)) {
    fail('it contains a space');
  }

  const { rest, isUrl } = withoutScheme(input, fail);
  const { authority, path } = splitPath(rest);
  if (path !== undefined && !isUrl) {
    fail('a path is only accepted in the https://host/path form');
  }
  if (authority.includes('@')) {
    fail('credentials in the URL are not supported (and would be sent nowhere)');
  }

  const { hostText, portText } = splitHostPort(authority, fail);
  const port = portText === undefined ? DEFAULT_PORT : parsePort(portText, fail);
  const { host, hostIsIp } = normaliseHost(hostText, fail);

  return {
    input,
    host,
    port,
    ...(path ? { path } : {}),
    hostIsIp,
    ...(source ? { source } : {}),
  };
}

/**
 * Parses a list of endpoints, one per line; blank lines and `#` comments are skipped. A line
 * naming the same host, port and path as an earlier one is an error that names both lines.
 */
export function parseEndpointList(text: string, file = '<input>'): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const firstLine = new Map<string, number>();

  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const content = stripComment(raw).trim();
    if (content === '') {
      continue;
    }

    const endpoint = parseEndpoint(content, { file, line });
    const key = endpointKey(endpoint);
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      throw new EndpointError(
        `${file}:${line}: "${endpoint.input}" repeats the endpoint of line ${earlier}`,
      );
    }

    firstLine.set(key, line);
    endpoints.push(endpoint);
  }

  return endpoints;
}

/** The text that identifies an endpoint for duplicate detection: host, port and path. */
export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.host}\n${endpoint.port}\n${endpoint.path ?? ''}`;
}

/** The endpoint as `host:port` (IPv6 in brackets), for messages and logs. */
export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A line of an endpoint list without its comment. A `#` starts a comment only at the start of
 * a line or after a space, so that a fragment in a URL is not cut off silently (and then
 * refused for its content instead).
 */
export function stripComment(line: string): string {
  const match = /(^|\s)#/.exec(line);
  return match ? line.slice(0, match.index) : line;
}

function withoutScheme(
  input: string,
  fail: (reason: string) => never,
): { rest: string; isUrl: boolean } {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(input);
  if (!scheme) {
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\//.test(input)) {
      fail('a URL needs two slashes after the scheme, as in https://host');
    }
    return { rest: input, isUrl: false };
  }

  if (scheme[1].toLowerCase() !== 'https') {
    fail(`the scheme ${scheme[1]}:// is not supported; webhook endpoints use https://`);
  }
  return { rest: input.slice(scheme[0].length), isUrl: true };
}

function splitPath(rest: string): { authority: string; path?: string } {
  const start = rest.search(/[/?#]/);
  if (start === -1) {
    return { authority: rest };
  }

  // The path is kept for display only; a bare "/" says nothing.
  const path = rest.slice(start);
  return { authority: rest.slice(0, start), ...(path === '/' ? {} : { path }) };
}

function splitHostPort(
  authority: string,
  fail: (reason: string) => never,
): { hostText: string; portText?: string } {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) {
      fail('the IPv6 address has no closing bracket');
    }

    const after = authority.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      fail('only ":port" may follow a bracketed IPv6 address');
    }

    const hostText = authority.slice(1, close);
    if (!isIPv6(hostText)) {
      fail(`[${hostText}] is not an IPv6 address`);
    }
    return after === '' ? { hostText } : { hostText, portText: after.slice(1) };
  }

  const colons = authority.split(':').length - 1;
  if (colons > 1) {
    fail(
      isIPv6(authority)
        ? 'write an IPv6 address in brackets, as in [2001:db8::1]:443'
        : 'it has more than one ":"',
    );
  }

  if (colons === 1) {
    const colon = authority.indexOf(':');
    return { hostText: authority.slice(0, colon), portText: authority.slice(colon + 1) };
  }
  return { hostText: authority };
}

function parsePort(portText: string, fail: (reason: string) => never): number {
  if (portText === '') {
    fail('the port after ":" is missing');
  }
  if (!/^[0-9]+$/.test(portText)) {
    fail(`the port "${portText}" is not a number`);
  }

  const port = Number(portText);
  if (port < 1 || port > 65535) {
    fail(`the port ${portText} is out of range (1-65535)`);
  }
  return port;
}

function normaliseHost(
  hostText: string,
  fail: (reason: string) => never,
): { host: string; hostIsIp: boolean } {
  if (hostText === '') {
    fail('it names no host');
  }
  if (isIPv6(hostText)) {
    return { host: hostText.toLowerCase(), hostIsIp: true };
  }

  // Only the strict dotted quad is an IPv4 address. The URL standard would also read "127.1"
  // or "0x7f.0.0.1" as addresses (a name whose last label is a number); for an endpoint list
  // those are far more likely typos.
  if (/^[0-9.]+$/.test(hostText)) {
    if (!isIPv4(hostText)) {
      fail(`${hostText} is not a valid IPv4 address`);
    }
    return { host: hostText, hostIsIp: true };
  }
  const lastLabel = hostText.replace(/\.$/, '').split('.').pop() ?? '';
  if (/^(0x[0-9a-f]*|[0-9]+)$/i.test(lastLabel)) {
    fail(`"${hostText}" is not a valid hostname: its last label is a number`);
  }

  if (/[%/\\*?<>|^`{}"']/.test(hostText)) {
    fail(`the host "${hostText}" contains characters no hostname can have`);
  }

  // A trailing dot names the same host; SNI carries the name without it (RFC 6066, Section 3).
  const withoutDot = hostText.endsWith('.') ? hostText.slice(0, -1) : hostText;
  const ascii = domainToASCII(withoutDot);
  if (ascii === '' || !isHostname(ascii)) {
    fail(`"${hostText}" is not a valid hostname`);
  }
  return { host: ascii.toLowerCase(), hostIsIp: false };
}

// Letters, digits, hyphens (not at either end of a label) and, for internal names, underscores;
// labels of 1 to 63 characters, 253 in all (RFC 1035, Section 2.3.4).
function isHostname(name: string): boolean {
  if (name.length > 253) {
    return false;
  }

  return name.split('.').every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label));
}
