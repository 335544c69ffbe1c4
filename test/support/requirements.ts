// The shared webhook requirements, read as the tests' source of truth for the listed suites.
// They sit beside the repository (../shared), in CI as here.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REQUIREMENTS = fileURLToPath(
  new URL('../../../shared/requirements/webhook-tls-requirements.txt', import.meta.url),
);

/** The suite names the requirements list, as they write them, in their order. */
export function requiredSuiteNames(): string[] {
  const text = readFileSync(REQUIREMENTS, 'utf8');
  return [...text.matchAll(/^\s*•\s*(TLS_[A-Z0-9_]+)\s*$/gm)].map((match) => match[1]);
}
