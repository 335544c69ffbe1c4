// Parsing endpoints: every accepted form, every refused one with a message naming the input,
// punycode for Unicode names, and duplicate detection in lists.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EndpointError,
  endpointKey,
  formatHostPort,
  parseEndpoint,
  parseEndpointList,
} from '../../src/probe/endpoint.js';

describe('parseEndpoint accepts', () => {
  it.each([
    ['https://hooks.example.com', 'hooks.example.com', 443, undefined, false],
    ['https://hooks.example.com:8443/in/github', 'hooks.example.com', 8443, '/in/github', false],
    ['https://hooks.example.com/', 'hooks.example.com', 443, undefined, false],
    ['HTTPS://Hooks.Example.COM/Path?a=1', 'hooks.example.com', 443, '/Path?a=1', false],
    ['hooks.example.com', 'hooks.example.com', 443, undefined, false],
    ['hooks.example.com:9000', 'hooks.example.com', 9000, undefined, false],
    ['example.com.', 'example.com', 443, undefined, false],
    ['localhost', 'localhost', 443, undefined, false],
    ['127.0.0.1:8443', '127.0.0.1', 8443, undefined, true],
    ['[::1]:8443', '::1', 8443, undefined, true],
    ['[2001:DB8::1]', '2001:db8::1', 443, undefined, true],
    ['https://[::1]:65535/x', '::1', 65535, '/x', true],
    ['  padded.example:1  ', 'padded.example', 1, undefined, false],
  ])('%s', (text, host, port, path, hostIsIp) => {
    const endpoint = parseEndpoint(text);

    expect(endpoint.host).toBe(host);
    expect(endpoint.port).toBe(port);
    expect(endpoint.path).toBe(path);
    expect(endpoint.hostIsIp).toBe(hostIsIp);
    expect(endpoint.input).toBe(text.trim());
  });

  it('takes names that only start like a hexadecimal number', () => {
    expect(parseEndpoint('0x0.example:1').host).toBe('0x0.example');
    expect(parseEndpoint('123.example').host).toBe('123.example');
  });

  it('converts Unicode names to punycode', () => {
    expect(parseEndpoint('https://Bücher.example/hook').host).toBe('xn--bcher-kva.example');
    expect(parseEndpoint('münchen.test:8443').host).toBe('xn--mnchen-3ya.test');
  });

  it('keeps where the endpoint was named', () => {
    const endpoint = parseEndpoint('a.example', { file: 'hooks.txt', line: 3 });
    expect(endpoint.source).toEqual({ file: 'hooks.txt', line: 3 });
  });
});

describe('parseEndpoint refuses', () => {
  it.each([
    ['', /empty/],
    ['http://a.example', /scheme http:\/\/ is not supported/],
    ['ftp://a.example', /scheme ftp:\/\//],
    ['https:/a.example', /two slashes/],
    ['https://user:secret@a.example', /credentials/],
    ['https://user@a.example', /credentials/],
    ['https://', /names no host/],
    ['https://:443', /names no host/],
    [':443', /names no host/],
    ['a.example:0', /out of range/],
    ['a.example:65536', /out of range/],
    ['a.example:', /port after ":" is missing/],
    ['a.example:https', /not a number/],
    ['a.example:-1', /not a number/],
    ['a.example:1:2', /more than one ":"/],
    ['a b.example', /space/],
    ['https://a.example/with space', /space/],
    ['2001:db8::1', /in brackets/],
    ['[2001:db8::1', /closing bracket/],
    ['[a.example]:443', /not an IPv6 address/],
    ['[::1]443', /only ":port"/],
    ['127.1', /not a valid IPv4 address/],
    ['256.1.1.1', /not a valid IPv4 address/],
    ['0x7f.0.0.1', /last label is a number/],
    ['a.0x1f', /last label is a number/],
    ['-bad.example', /not a valid hostname/],
    ['a..example', /not a valid hostname/],
    ['example.123', /last label is a number/],
    ['ex%41mple.com', /characters no hostname/],
    ['a.example/hook', /only accepted in the https:\/\/host\/path form/],
    [`${'a'.repeat(64)}.example`, /not a valid hostname/],
  ])('%j', (text, reason) => {
    expect(() => parseEndpoint(text)).toThrow(EndpointError);
    expect(() => parseEndpoint(text)).toThrow(reason);
    if (text.trim() !== '') {
      expect(() => parseEndpoint(text)).toThrow(text.trim());
    }
  });

  it('names the file and line in the message', () => {
    expect(() => parseEndpoint('http://x.example', { file: 'hooks.txt', line: 9 })).toThrow(
      /^hooks\.txt:9: "http:\/\/x\.example"/,
    );
  });
});

describe('parseEndpointList', () => {
  it('skips blank lines and comments and numbers the lines', () => {
    const text = [
      '# webhook receivers',
      '',
      'https://a.example/hook   # the main one',
      '  b.example:8443',
      '[::1]:9443',
      'https://a.example/other',
    ].join('\n');

    const endpoints = parseEndpointList(text, 'hooks.txt');

    expect(endpoints.map((e) => [e.host, e.port, e.source?.line])).toEqual([
      ['a.example', 443, 3],
      ['b.example', 8443, 4],
      ['::1', 9443, 5],
      ['a.example', 443, 6],
    ]);
    expect(endpoints[0].source?.file).toBe('hooks.txt');
  });

  it('keeps a URL fragment that is not preceded by a space', () => {
    const [endpoint] = parseEndpointList('https://a.example/hook#part');
    expect(endpoint.path).toBe('/hook#part');
  });

  it('detects the same endpoint named twice, in any spelling', () => {
    const text = 'https://A.example/hook\nb.example\nhttps://a.example:443/hook\n';
    expect(() => parseEndpointList(text, 'hooks.txt')).toThrow(
      /hooks\.txt:3: .* repeats the endpoint of line 1/,
    );
    expect(() => parseEndpointList('a.example\na.example.:443')).toThrow(/line 1/);
  });

  it('reports the first bad line with its number', () => {
    expect(() => parseEndpointList('a.example\n\nhttp://b.example\n', 'f.txt')).toThrow(
      /^f\.txt:3: /,
    );
  });
});

describe('properties', () => {
  // Labels with hyphens in their third and fourth place are reserved for IDNA (RFC 5891 4.2.3.1).
  const label = fc
    .stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/)
    .filter((text) => text.slice(2, 4) !== '--');
  const hostname = fc
    .array(label, { minLength: 1, maxLength: 4 })
    .map((labels) => [...labels, 'example'].join('.'));

  it('every written form of host and port parses back to the same host and port', () => {
    fc.assert(
      fc.property(hostname, fc.integer({ min: 1, max: 65535 }), (host, port) => {
        for (const text of [`${host}:${port}`, `https://${host}:${port}/p`]) {
          const endpoint = parseEndpoint(text);
          expect([endpoint.host, endpoint.port]).toEqual([host, port]);
        }
        expect(parseEndpoint(host).port).toBe(443);
      }),
    );
  });

  it('never throws anything but EndpointError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          parseEndpoint(text);
        } catch (error) {
          expect(error).toBeInstanceOf(EndpointError);
        }
      }),
    );
  });

  it('formats host and port so that they parse back', () => {
    for (const [host, port] of [
      ['::1', 8443],
      ['a.example', 443],
      ['10.0.0.1', 1],
    ] as const) {
      const endpoint = parseEndpoint(formatHostPort(host, port));
      expect(endpointKey(endpoint)).toBe(`${host}\n${port}\n`);
    }
  });
});
