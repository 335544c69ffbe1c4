// Validates SARIF logs against the official SARIF 2.1.0 schema vendored in schema/. The
// published schema has two defects (see schema/README.md) that a strict validator refuses to
// compile, so schema self-validation is off and the `(?i)` inline flag becomes the `i` flag.

import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const schemaPath = new URL('../../schema/sarif-2.1.0.schema.json', import.meta.url);
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));

// Ajv asks a regular expression engine to say how standalone code would build it, too.
const regExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.includes('(?i)')
      ? new RegExp(pattern.replace('(?i)', ''), `${flags}i`)
      : new RegExp(pattern, flags),
  { code: 'new RegExp' },
);

const ajv = new Ajv2020({
  allErrors: true,
  strict: false,
  validateSchema: false,
  code: { regExp },
});
addFormats.default(ajv);

const validate = ajv.compile(schema);

/** The schema's complaints about `log`; empty when it is valid SARIF 2.1.0. */
export function sarifErrors(log: unknown): string[] {
  if (validate(log)) {
    return [];
  }

  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
