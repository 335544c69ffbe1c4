// The certificate checks of one endpoint: the chains a server presents, judged as a webhook
// sender judges them, and how the server behaves with and without SNI.

export { analyseChain, type ChainOptions } from './chain.js';
export {
  checkCertificates,
  type HelloProbe,
  prepareCertificateChecks,
  sniBehaviour,
  unknownServerName,
} from './check.js';
export { type ChainExpiry, certificateRole, earliestExpiry } from './expiry.js';
export {
  CertificateParseError,
  certificateInfo,
  daysLeft,
  loadCertificateParser,
  type ParsedCertificate,
  parseCertificate,
} from './info.js';
export { describeNames, type ExpectedName, ipAsDnsNote, nameMatches } from './names.js';
export { pemCertificates, trustAnchors } from './trust.js';
