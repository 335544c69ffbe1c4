// The JSON report on disk: written in a stable key order (the order of the schema), written
// atomically so a reader never sees half a file, and read back only after it validates against
// schema/report.schema.json, with errors that name the file and the place in it.

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import reportSchema from '../../schema/report.schema.json' with { type: 'json' };
import { REPORT_SCHEMA_VERSION, type Report } from '../model.js';
import { TOOL } from './build.js';

export { reportSchema };

/** A report file that cannot be read, parsed or validated; the message names the file. */
export class ReportError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ReportError';
  }
}

let compiled: ReturnType<Ajv2020['compile']> | undefined;

function reportValidator(): ReturnType<Ajv2020['compile']> {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
    addFormats.default(ajv);
    compiled = ajv.compile(reportSchema);
  }

  return compiled;
}

/** The schema's complaints about `value`, as readable lines; empty when it is a valid report. */
export function reportSchemaErrors(value: unknown): string[] {
  const validate = reportValidator();
  return validate(value) ? [] : describeErrors(validate.errors ?? []);
}

const MAX_ERRORS_SHOWN = 5;

function describeErrors(errors: ErrorObject[]): string[] {
  // A value that fits no branch of a oneOf draws one error per branch; the branch errors say
  // more than the summary, so the summary line is left out when branch errors are present.
  const specific = errors.filter((error) => error.keyword !== 'oneOf');
  const shown = (specific.length > 0 ? specific : errors).map(describeError);
  const unique = [...new Set(shown)];

  if (unique.length <= MAX_ERRORS_SHOWN) {
    return unique;
  }

  return [
    ...unique.slice(0, MAX_ERRORS_SHOWN),
    `and ${unique.length - MAX_ERRORS_SHOWN} more problems`,
  ];
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the report' : error.instancePath;
  const params = error.params as Record<string, unknown>;

  if (error.keyword === 'additionalProperties') {
    return `${where} has an unknown property "${String(params.additionalProperty)}"`;
  }

  if (error.keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value));
    return `${where} must be one of ${allowed.join(', ')}`;
  }

  return `${where} ${error.message ?? 'is not valid'}`;
}

/** The report as JSON text: keys in the schema's order, two-space indent, a final newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(inSchemaOrder(report, reportSchema), null, 2)}\n`;
}

/** Reads a report file and validates it; throws ReportError naming the file and the problem. */
export async function readReport(file: string): Promise<Report> {
  let text: string;

  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ReportError(file, `cannot read the report: ${messageOf(error)}`);
  }

  return parseReport(text, file);
}

/** Parses and validates report text; `file` names it in errors. */
export function parseReport(text: string, file = '<report>'): Report {
  let value: unknown;

  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportError(file, `not JSON: ${messageOf(error)}`);
  }

  if (typeof value !== 'object' || value === null || !('schemaVersion' in value)) {
    throw new ReportError(file, `not a ${TOOL.name} report: it has no schemaVersion`);
  }

  const version = (value as { schemaVersion: unknown }).schemaVersion;

  if (version !== REPORT_SCHEMA_VERSION) {
    throw new ReportError(
      file,
      `report schema version ${JSON.stringify(version)} is not the version ` +
        `${REPORT_SCHEMA_VERSION} that ${TOOL.name} ${TOOL.version} reads`,
    );
  }

  const errors = reportSchemaErrors(value);

  if (errors.length > 0) {
    throw new ReportError(
      file,
      `does not match the report schema (schema/report.schema.json): ${errors.join('; ')}`,
    );
  }

  return value as Report;
}

/**
 * Writes `text` to `file` through a temporary file in the same folder and a rename, so readers
 * (a later job, a concurrent merge) see the old file or the new one, never a partial one.
 * The rename is atomic only within one file system, hence the same folder.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const folder = path.dirname(file);
  const temporary = path.join(
    folder,
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );

  try {
    const handle = await open(temporary, 'wx');

    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }

    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Key order. JSON.stringify keeps insertion order, which depends on which code built an
// object; ordering keys as the schema lists them makes the file stable and readable (schema
// version and verdict first, bulky scan data later). Keys the schema does not know come last,
// sorted.

type SchemaNode = { [key: string]: unknown };

const propertiesCache = new WeakMap<SchemaNode, Map<string, SchemaNode>>();

function inSchemaOrder(value: unknown, node: SchemaNode | undefined): unknown {
  if (Array.isArray(value)) {
    const items = node ? itemsOf(node) : undefined;
    return value.map((item) => inSchemaOrder(item, items));
  }

  if (typeof value !== 'object' || value === null) {
    return value;
  }

  const record = value as Record<string, unknown>;
  const known = node ? propertiesOf(node) : new Map<string, SchemaNode>();
  const ordered: Record<string, unknown> = {};

  for (const [key, child] of known) {
    if (record[key] !== undefined) {
      ordered[key] = inSchemaOrder(record[key], child);
    }
  }

  for (const key of Object.keys(record).sort()) {
    if (!known.has(key) && record[key] !== undefined) {
      ordered[key] = inSchemaOrder(record[key], undefined);
    }
  }

  return ordered;
}

function resolve(node: SchemaNode): SchemaNode {
  const ref = node.$ref;

  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) {
    return node;
  }

  const defs = reportSchema.$defs as unknown as Record<string, SchemaNode>;
  return resolve(defs[ref.slice('#/$defs/'.length)]);
}

/** Branches of a union, or the node itself. */
function branches(node: SchemaNode): SchemaNode[] {
  const resolved = resolve(node);
  const union = (resolved.oneOf ?? resolved.anyOf) as SchemaNode[] | undefined;
  return union ? union.flatMap(branches) : [resolved];
}

function propertiesOf(node: SchemaNode): Map<string, SchemaNode> {
  const cached = propertiesCache.get(node);

  if (cached) {
    return cached;
  }

  const properties = new Map<string, SchemaNode>();

  for (const branch of branches(node)) {
    for (const [key, child] of Object.entries((branch.properties ?? {}) as SchemaNode)) {
      if (!properties.has(key)) {
        properties.set(key, child as SchemaNode);
      }
    }
  }

  propertiesCache.set(node, properties);
  return properties;
}

function itemsOf(node: SchemaNode): SchemaNode | undefined {
  for (const branch of branches(node)) {
    if (typeof branch.items === 'object' && branch.items !== null) {
      return branch.items as SchemaNode;
    }
  }

  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
