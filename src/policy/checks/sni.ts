// Server Name Indication (RFC 6066, Section 3): the server should pick its certificate by the
// name the client sends. An IP endpoint sends no SNI (RFC 6066 forbids IP literals there), so
// none of this applies to it.
//
// A server with a single certificate looks the same whether it reads SNI or not; it is
// reported only when that certificate does not cover the endpoint, where honouring SNI would
// have mattered.

import { adviceOnly, defaultCertificateFix, nameFix } from '../remediation.js';
import { outcomeText } from '../text.js';
import { namesText } from './certificates.js';
import type { AddressContext, RawFinding } from './context.js';

export function checkSni(context: AddressContext): RawFinding[] {
  const { address, endpoint } = context;
  if (endpoint.hostIsIp) {
    return [];
  }

  const { sni, primary, others } = address.certificates;
  const findings: RawFinding[] = [];

  if (sni.honoured === false && primary && primary.served.length > 0 && !primary.nameMatches) {
    findings.push({
      id: 'sni.not-honoured',
      sni: primary.sni,
      observed:
        `the server sends the same certificate (for ${namesText(primary.served[0])}) ` +
        `whatever name the client asks for, including ${endpoint.host}`,
      expected: `the certificate for ${endpoint.host} when the client names it in SNI`,
      remediation: nameFix(endpoint.host, false),
    });
  }

  // Case 12: the default site's certificate goes to clients without SNI.
  if (sni.noSniNameMatches === false && sni.required !== true) {
    const served = others.find((chain) => chain.sni === null && chain.served.length > 0);
    const what = served ? `a certificate for ${namesText(served.served[0])}` : 'a certificate';
    findings.push({
      id: 'sni.no-sni-mismatch',
      sni: null,
      observed: `a client without SNI receives ${what}, which does not cover ${endpoint.host}`,
      expected: `a certificate covering ${endpoint.host} for clients without SNI too`,
      remediation: defaultCertificateFix(endpoint.host),
    });
  }

  if (sni.nameWarning === true) {
    findings.push({
      id: 'sni.unrecognized-name-warning',
      sni: endpoint.host,
      observed: `the server answers SNI ${endpoint.host} with a warning unrecognized_name alert`,
      expected: 'no alert for a name the server serves',
      remediation: adviceOnly(
        `Configure a site for ${endpoint.host} by name (nginx server_name, Apache ServerName ` +
          'or ServerAlias), so the server recognises the name it serves.',
      ),
    });
  }

  // Case 11: fine for senders, which send SNI; worth knowing for the ones that do not.
  if (sni.required === true) {
    findings.push({
      id: 'sni.required',
      sni: null,
      observed: sni.noSniOutcome
        ? `a hello without SNI is ${outcomeText(sni.noSniOutcome)}`
        : 'hellos without SNI are refused',
      expected: 'senders that send SNI, as most do',
      remediation: adviceOnly(
        'Nothing to change if every sender sends SNI. To serve clients without it, make ' +
          `the site for ${endpoint.host} the default one.`,
      ),
    });
  }

  return findings;
}
