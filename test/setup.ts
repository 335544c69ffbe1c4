// Loaded before every test file: the X.509 parser loads asynchronously (src/cert/info.ts,
// loadCertificateParser), and tests read certificates directly, outside any scan.
import { loadCertificateParser } from '../src/cert/info.js';

await loadCertificateParser();
