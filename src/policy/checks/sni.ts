// Server Name Indication (RFC 6066, Section 3): the server should pick its certificate by the
// name the client sends. An IP endpoint sends no SNI (RFC 6066 forbids IP literals there), so
// of this only a server that requires SNI concerns it (checkNameRefused).

import { Alert } from '../../wire/alerts.js';
import {
  adviceOnly,
  defaultCertificateFix,
  ipEndpointSniFix,
  nameFix,
  nameRefusedFix,
} from '../remediation.js';
import { outcomeText } from '../text.js';
import { namesText } from './certificates.js';
import { type AddressContext, type RawFinding, versionState, versionsFrom } from './context.js';

export function checkSni(context: AddressContext): RawFinding[] {
  const { address, endpoint } = context;
  if (endpoint.hostIsIp) {
    return [];
  }

  const { sni, primary, others } = address.certificates;
  const findings: RawFinding[] = [];

  // Hellos naming the endpoint fail while one without SNI gets through: the server does not
  // cope with SNI, and senders always send it. (One certificate for every name is no sign of
  // this: a server with a single site looks the same whether it reads SNI or not.)
  const withSni = versionsFrom('SSLv3').map((version) => versionState(address, version));
  if (sni.noSniOutcome?.kind === 'accepted' && !withSni.includes('accepted')) {
    const refusal = address.versions.find((support) => support.version === 'TLSv1.2')?.outcome;
    findings.push({
      id: 'sni.not-honoured',
      sni: endpoint.host,
      observed:
        `hellos naming ${endpoint.host} in SNI fail` +
        `${refusal ? ` (TLS 1.2: ${outcomeText(refusal)})` : ''}, while a hello without SNI ` +
        `is ${outcomeText(sni.noSniOutcome)}`,
      expected: `a handshake for hellos that name ${endpoint.host} in SNI (RFC 6066, Section 3)`,
      remediation: nameFix(endpoint.host, false),
    });
  }

  // Case 12: the default site's certificate goes to clients without SNI, while clients with
  // SNI get the right one (when they do not either, certificate.name-mismatch says it).
  if (sni.noSniNameMatches === false && sni.required !== true && primary?.nameMatches === true) {
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

/**
 * Every hello that names the endpoint is refused with a fatal unrecognized_name alert: the
 * server has no site for the name (nginx's ssl_reject_handshake default server, a name that
 * points at the wrong server). For an IP endpoint the hellos name nothing, and the refusal
 * says that the server requires SNI. Versions and suites were never reached, so this finding
 * stands alone, like a protocol violation.
 */
export function checkNameRefused(context: AddressContext): RawFinding | undefined {
  const { address, endpoint } = context;
  if (address.versions.some((support) => support.accepted === true)) {
    return undefined;
  }

  // The TLS 1.2 and 1.3 hellos decide it: older ones may be refused for their version first,
  // and SSL 3.0 hellos carry no SNI at all.
  const modern = address.versions.filter(
    (support) => support.version === 'TLSv1.2' || support.version === 'TLSv1.3',
  );
  const refusedByName =
    modern.length > 0 &&
    modern.every(
      (support) =>
        support.outcome.kind === 'alert' && support.outcome.alert === Alert.unrecognizedName,
    );
  if (!refusedByName) {
    return undefined;
  }

  if (endpoint.hostIsIp) {
    return {
      id: 'sni.required-by-ip-endpoint',
      sni: null,
      observed:
        'every hello is refused with a fatal unrecognized_name alert: the server requires ' +
        `SNI, and a sender connecting to the IP address ${endpoint.host} sends none`,
      expected:
        'a handshake for hellos without SNI, which is all an IP endpoint gets (RFC 6066, ' +
        'Section 3, allows no IP address in server_name)',
      remediation: ipEndpointSniFix(endpoint.host),
    };
  }

  const { noSniOutcome } = address.certificates.sni;
  const without = noSniOutcome ? `; a hello without SNI is ${outcomeText(noSniOutcome)}` : '';
  // The certificate a hello without SNI gets may cover the name already: then the server's
  // name configuration refuses it, not the certificate.
  const noSniChain = address.certificates.others.find(
    (chain) => chain.sni === null && chain.served.length > 0,
  );
  const covers = noSniChain?.nameMatches === true;
  return {
    id: 'sni.name-refused',
    sni: endpoint.host,
    observed:
      `every hello naming ${endpoint.host} in SNI is refused with a fatal unrecognized_name ` +
      'alert: ' +
      (covers
        ? 'the server does not accept this name, though the certificate it sends without SNI ' +
          `covers ${endpoint.host}`
        : 'the server has no site or certificate for this name') +
      without,
    expected: `a handshake for hellos that name ${endpoint.host} in SNI (RFC 6066, Section 3)`,
    remediation: nameRefusedFix(endpoint.host, covers),
  };
}
