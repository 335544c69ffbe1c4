// The catalogue of policy rules: every finding the policy can raise has one entry here, with a
// stable identifier, a title, the severity it has unless a preset or policy file changes it,
// and help text. The report renders SARIF rules from this list, and policy files are checked
// against it, so an identifier never changes once published.

import type { Severity } from '../model.js';

export interface RuleInfo {
  id: string;
  title: string;
  /** Severity when the policy does not change it; presets may turn a rule off or change it. */
  defaultSeverity: Severity;
  /** What the rule checks and why, for SARIF help and `--help` style listings. */
  help: string;
}

/** A severity a policy can give a rule: one of the finding severities, or off. */
export type RuleSetting = Severity | 'off';

function rule(id: string, title: string, defaultSeverity: Severity, help: string): RuleInfo {
  return { id, title, defaultSeverity, help };
}

export const RULES = [
  // --- Whether the endpoint could be scanned at all ------------------------------------------
  rule(
    'endpoint.not-scanned',
    'Endpoint not scanned',
    'error',
    'The endpoint could not be scanned: its name did not resolve, the connection was refused ' +
      'or it timed out. A sender cannot deliver webhooks to it either. Set this rule to ' +
      'warning or notice to let such endpoints pass.',
  ),
  rule(
    'endpoint.address-refused',
    'One address of the endpoint refuses connections',
    'warning',
    "The endpoint's name resolves to several addresses and one of them refuses connections (or " +
      'its network is unreachable) while another serves TLS. Senders that try the addresses in ' +
      'turn, as Node, Go, Python and curl do, move on at once; the scan of the other address ' +
      'judges the endpoint.',
  ),
  rule(
    'endpoint.address-not-scanned',
    'One address of the endpoint could not be scanned',
    'error',
    "The endpoint's name resolves to several addresses, and one of them could not be scanned " +
      'after the connection was made (it timed out or failed) while another was. A sender that ' +
      'reaches that address fails or waits there; the other addresses are judged as usual.',
  ),
  rule(
    'endpoint.not-tls',
    'Port does not speak TLS',
    'error',
    'The port answered a ClientHello with something that is not TLS, for example a plaintext ' +
      'HTTP reply. The endpoint must serve HTTPS.',
  ),

  rule(
    'endpoint.no-tls-answer',
    'No TLS answer to any hello',
    'error',
    'Every connection was closed or reset before any reply, the hello offering every version ' +
      'and suite included: no sender can connect, and nothing on the port shows a TLS ' +
      'server. Often another service that closes on input it does not know, or a TLS server ' +
      'whose set-up is broken (no certificate, a proxy without a back end).',
  ),

  rule(
    'endpoint.protocol-violation',
    'Server breaks the TLS protocol',
    'error',
    'Every hello that got a TLS answer was answered in violation of the protocol, for example ' +
      'with a suite or version the client never offered (RFC 8446, Section 4.1.3). Senders ' +
      "abort such handshakes, so none can connect: the server's TLS configuration or software " +
      'must be corrected.',
  ),

  rule(
    'endpoint.handshake-stalls',
    'Server stops after its ServerHello',
    'error',
    'The server answered the ClientHello with a ServerHello and then sent nothing more (no ' +
      'Certificate) until the read timeout or the end of the connection, twice: every ' +
      "sender's handshake stalls there. Often a proxy, load balancer or key store in front " +
      'of the server that hangs.',
  ),

  // --- Protocol versions -----------------------------------------------------------------------
  rule(
    'version.none-supported',
    'Required TLS versions not accepted',
    'error',
    "The server must accept the policy's minimum TLS version or a newer one (TLS 1.2 or " +
      'TLS 1.3 for the webhook requirements).',
  ),
  rule(
    'version.legacy-accepted',
    'Legacy protocol versions accepted',
    'error',
    'Versions below the minimum (SSL 3.0, TLS 1.0, TLS 1.1 for the webhook requirements) must ' +
      'be refused: they have known weaknesses.',
  ),

  // --- Cipher suites ---------------------------------------------------------------------------
  rule(
    'suites.none-listed',
    'No suite from the required list accepted',
    'error',
    'The server must accept at least one suite of the required list, with a version at or ' +
      'above the minimum. Senders offer only those suites.',
  ),
  rule(
    'suites.certificate-key-mismatch',
    'Certificate key type matches no enabled suite',
    'error',
    'TLS 1.2 is enabled but every hello is refused with handshake_failure: the suites the ' +
      'server enables need a key type (RSA or ECDSA) its certificate does not have.',
  ),
  rule(
    'suites.not-allowed',
    "Suites outside the policy's list accepted",
    'error',
    "Every accepted suite must be on the policy's list (Mozilla configurations list the " +
      'suites a server should enable, and no others).',
  ),
  rule(
    'suites.64-bit-block-cipher',
    '64-bit block cipher suites accepted',
    'warning',
    'Suites with a 64-bit block cipher (3DES, DES, IDEA, RC2) leak plaintext on long ' +
      'connections (Sweet32, CVE-2016-2183). Offer AES-GCM or ChaCha20-Poly1305 instead.',
  ),
  rule(
    'suites.insecure',
    'Insecure suites accepted',
    'warning',
    'NULL, export-grade, anonymous or RC4 suites give no real protection and must not be ' +
      'enabled.',
  ),

  // --- Key exchange ----------------------------------------------------------------------------
  rule(
    'kex.sender-not-forward-secret',
    'Sender negotiates a suite without forward secrecy',
    'warning',
    'A sender offering the listed suites in their order ends up with a suite whose key ' +
      'exchange is not ephemeral (ECDHE or DHE): whoever obtains the private key later can ' +
      'decrypt recorded webhooks.',
  ),
  rule(
    'kex.server-prefers-non-forward-secret',
    'Server prefers suites without forward secrecy',
    'warning',
    'The server enforces its own suite order and ranks suites without forward secrecy above ' +
      'forward-secret ones, so clients offering both get the weaker one.',
  ),
  rule(
    'kex.weak-dh',
    'Weak Diffie-Hellman group',
    'notice',
    'DHE suites use a finite-field group smaller than the policy minimum (2048 bits); some ' +
      'clients refuse such groups and they are within reach of precomputation attacks.',
  ),
  rule(
    'kex.group-not-allowed',
    "Key exchange groups outside the policy's list",
    'warning',
    "The server accepts key exchange groups (curves) that the policy's configuration does " +
      'not list.',
  ),

  // --- Alerts ----------------------------------------------------------------------------------
  rule(
    'alerts.improper-refusal',
    'Refusals without a fatal TLS alert',
    'warning',
    'A refused version or suite should be answered with a fatal alert (protocol_version or ' +
      'handshake_failure). A TCP reset, or a close with at most close_notify (a warning-level ' +
      'alert, RFC 8446 Section 6.1), looks like a network fault to senders, who then retry ' +
      'instead of reporting a configuration problem.',
  ),

  // --- Certificates ----------------------------------------------------------------------------
  rule(
    'certificate.untrusted',
    'Certificate not trusted',
    'error',
    'The chain the server sends does not lead to a trusted root, so senders refuse it.',
  ),
  rule(
    'certificate.self-signed',
    'Self-signed certificate',
    'error',
    'The certificate is self-signed; senders trust only certificates from public CAs.',
  ),
  rule(
    'certificate.incomplete-chain',
    'Intermediate certificate not sent',
    'error',
    'The server sends the leaf without the intermediate that issued it. Browsers may fetch ' +
      'or cache the intermediate; webhook senders do not, so they cannot build the chain.',
  ),
  rule(
    'certificate.wrong-intermediate',
    'Wrong intermediate certificate sent',
    'error',
    'The intermediate the server sends did not issue its leaf, so the chain cannot be built.',
  ),
  rule(
    'certificate.name-mismatch',
    "Certificate does not cover the endpoint's name",
    'error',
    "The certificate's subjectAltName entries do not cover the host name (or IP address) " +
      'the sender connects to.',
  ),
  rule(
    'certificate.expired',
    'Certificate expired',
    'error',
    'The certificate is past its notAfter date.',
  ),
  rule(
    'certificate.not-yet-valid',
    'Certificate not yet valid',
    'error',
    'The certificate is before its notBefore date.',
  ),
  rule(
    'certificate.expired-in-chain',
    'Expired certificate in the chain',
    'error',
    'An intermediate certificate of the chain is out of date.',
  ),
  rule(
    'certificate.weak-signature',
    'Weak certificate signature',
    'error',
    'A certificate of the chain is signed with a weak hash (MD5, SHA-1) that senders refuse.',
  ),
  rule(
    'certificate.weak-key',
    'Weak certificate key',
    'error',
    'A certificate of the chain has a key too small to be accepted (RSA below 2048 bits, ' +
      'curves below 256 bits).',
  ),
  rule(
    'certificate.not-server-auth',
    'Certificate not for server authentication',
    'error',
    'The leaf certificate has an extended key usage without serverAuth.',
  ),
  rule(
    'certificate.bad-basic-constraints',
    'Intermediate without CA basic constraints',
    'error',
    'A certificate used as an issuer in the chain is not marked as a CA.',
  ),
  rule(
    'certificate.chain-order',
    'Chain sent out of order',
    'notice',
    'The certificates are not sent leaf first, each followed by its issuer (RFC 5246, ' +
      'Section 7.4.2). Most clients cope; strict ones do not.',
  ),
  rule(
    'certificate.root-sent',
    'Root certificate sent',
    'notice',
    'The server sends the root certificate too. Harmless, but it costs bytes on every ' +
      'handshake; clients use their own copy.',
  ),
  rule(
    'certificate.unused-certificate',
    'Certificate sent that is part of no chain',
    'notice',
    'The server sends a certificate that belongs to no path from the leaf: harmless to most ' +
      'senders, but a sign of a stale chain file.',
  ),
  rule(
    'certificate.expiring-soon',
    'Certificate expires soon',
    'warning',
    'A certificate of the chain a sender builds (the leaf, an intermediate or the trust ' +
      'anchor) expires within the warning period (30 days unless the policy says otherwise).',
  ),
  rule(
    'certificate.key-type-not-allowed',
    "Certificate key type outside the policy's list",
    'error',
    "The leaf certificate's key type (RSA, ECDSA) is not one the policy's configuration uses.",
  ),
  rule(
    'certificate.curve-not-allowed',
    "Certificate curve outside the policy's list",
    'error',
    "The leaf certificate's elliptic curve is not one the policy's configuration lists.",
  ),
  rule(
    'certificate.rsa-key-too-small',
    'RSA key smaller than the policy minimum',
    'error',
    "The leaf certificate's RSA key is smaller than the policy's minimum size.",
  ),
  rule(
    'certificate.signature-not-allowed',
    "Certificate signature outside the policy's list",
    'error',
    "The leaf certificate's signature algorithm is not one the policy's configuration lists.",
  ),
  rule(
    'certificate.lifespan-too-long',
    'Certificate lifespan too long',
    'warning',
    "The leaf certificate's validity period is longer than the policy's maximum.",
  ),
  rule(
    'certificate.no-ocsp-staple',
    'No OCSP response stapled',
    'notice',
    'The server does not staple an OCSP response to the handshake (status_request, RFC 6066, ' +
      'Section 8).',
  ),
  rule(
    'certificate.client-certificate-required',
    'Server requires a client certificate',
    'error',
    'The server asks for a client certificate (RFC 8446 Section 4.3.2, RFC 5246 Section ' +
      '7.4.4) and, given a handshake finished without one, ends it with a fatal alert ' +
      '(certificate_required in TLS 1.3, Section 4.4.2.4; handshake_failure and the like in ' +
      'TLS 1.2). Webhook senders present no client certificate: no delivery gets through.',
  ),
  rule(
    'certificate.client-certificate-requested',
    'Server asks senders for a client certificate',
    'warning',
    'The server sends a CertificateRequest (RFC 8446 Section 4.3.2, RFC 5246 Section 7.4.4) in ' +
      'the handshake a sender makes. Webhook senders present no client certificate. The probe ' +
      'finishes a TLS 1.3 handshake without one (TLS 1.2 on a server without TLS 1.3): when ' +
      'the server goes on, it may still refuse the request over HTTP (nginx does with ' +
      'ssl_verify_client on); when it cannot be told (no answer, or a HelloRetryRequest for ' +
      'a group without a share), the finding says so.',
  ),

  // --- SNI -------------------------------------------------------------------------------------
  rule(
    'sni.name-refused',
    "Server refuses the endpoint's name",
    'error',
    'Every hello naming the endpoint in SNI is refused with a fatal unrecognized_name alert ' +
      '(RFC 6066, Section 3): the server has no site or certificate for that name. No ' +
      'sender can connect; the versions and suites behind the refusal were never reached.',
  ),
  rule(
    'sni.required-by-ip-endpoint',
    'Server requires SNI, which an IP endpoint cannot send',
    'error',
    'Every hello is refused with a fatal unrecognized_name alert, and the endpoint is an IP ' +
      'address, for which senders send no SNI (RFC 6066, Section 3). No sender can connect; ' +
      'the versions and suites behind the refusal were never reached.',
  ),
  rule(
    'sni.not-honoured',
    'SNI not honoured',
    'warning',
    'Hellos that name the endpoint in SNI (RFC 6066, Section 3) fail while a hello without ' +
      'SNI succeeds. Senders always send SNI for a host name.',
  ),
  rule(
    'sni.no-sni-mismatch',
    'Clients without SNI get a certificate for another name',
    'warning',
    "A client that sends no SNI receives the default site's certificate, which does not " +
      'cover the endpoint. Senders that omit SNI fail.',
  ),
  rule(
    'sni.unrecognized-name-warning',
    "Warning alert for the endpoint's own name",
    'warning',
    'The server answers a hello naming the endpoint with a warning unrecognized_name alert ' +
      '(RFC 6066, Section 3). Some senders (Java) abort on it.',
  ),
  rule(
    'sni.required',
    'SNI required',
    'notice',
    'The server refuses hellos without SNI. Fine for senders that send SNI, which most do.',
  ),

  // --- The probes themselves -------------------------------------------------------------------
  rule(
    'probe.inconclusive',
    'Some probes were inconclusive',
    'warning',
    'Some probes got no answer (timeout) or failed, so part of the policy could not be ' +
      'checked. Silence is never counted as a refusal.',
  ),
  rule(
    'probe.protocol-violation',
    'Server violated the TLS protocol',
    'warning',
    'The server answered with a message TLS does not allow, for example a suite or version ' +
      'the client never offered (RFC 8446, Section 4.1.3). Clients abort such handshakes.',
  ),
  rule(
    'probe.version-intolerance',
    'Server fails hellos offering a newer version',
    'warning',
    'A hello offering a version the server does not have must be answered in the highest ' +
      'version both sides have. This server fails it instead, so senders whose library ' +
      'offers that version cannot connect.',
  ),
  // --- The policy itself -----------------------------------------------------------------------
  rule(
    'policy.unused-suppression',
    'Suppression matched nothing',
    'notice',
    'A suppression of the policy file matched no finding in the run: its endpoint pattern ' +
      'matches no endpoint scanned, or no endpoint it matches raised its rule. A typo in the ' +
      'pattern leaves the finding it meant to hide in place; a fixed finding leaves a stale ' +
      'suppression that would hide it again should it come back.',
  ),
  rule(
    'probe.observation',
    'Observation',
    'notice',
    'Something the probes noticed that no other rule covers, such as version intolerance.',
  ),
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];

export const RULE_IDS: readonly RuleId[] = RULES.map((entry) => entry.id);

const RULES_BY_ID = new Map<string, RuleInfo>(RULES.map((entry) => [entry.id, entry]));

/** The catalogue entry of a rule identifier, or undefined for an unknown identifier. */
export function ruleById(id: string): RuleInfo | undefined {
  return RULES_BY_ID.get(id);
}

export function isRuleId(id: string): id is RuleId {
  return RULES_BY_ID.has(id);
}
