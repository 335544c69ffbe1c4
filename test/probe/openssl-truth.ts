// What an OpenSSL server configured with a cipher string accepts, from OpenSSL itself:
// `openssl ciphers -V -s -<version> <string>` lists the suites the library would negotiate,
// and the server can use those whose authentication matches its key.

import { execFileSync } from 'node:child_process';
import type { TlsVersion } from '../../src/model.js';

const VERSION_FLAGS: Record<TlsVersion, string> = {
  SSLv3: '-ssl3',
  'TLSv1.0': '-tls1',
  'TLSv1.1': '-tls1_1',
  'TLSv1.2': '-tls1_2',
  'TLSv1.3': '-tls1_3',
};

/** Suite codes OpenSSL would negotiate in `version` for the cipher string and key type. */
export function opensslSuites(
  version: TlsVersion,
  cipherString: string,
  keyAuth: 'RSA' | 'ECDSA',
): number[] {
  const output = execFileSync(
    'openssl',
    ['ciphers', '-V', '-s', VERSION_FLAGS[version], cipherString],
    { encoding: 'utf8' },
  );

  const codes: number[] = [];
  for (const line of output.split('\n')) {
    const match = /0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+\S+\s+Kx=(\S+)\s+Au=(\S+)/i.exec(line);
    if (!match) continue;
    const [, high, low, , kx, au] = match;
    // TLS 1.3 suites authenticate with any key (Au=any); PSK and SRP need a configured secret.
    const usable = (au === keyAuth || au === 'any') && !/PSK|SRP/.test(kx);
    if (usable) codes.push(Number.parseInt(high + low, 16));
  }
  return codes;
}
