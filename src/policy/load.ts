// Loading a policy: a preset by name, or a YAML or JSON policy file that extends a preset.
//
// Files are parsed with the `yaml` package (JSON is YAML too) keeping node positions, checked
// against POLICY_SCHEMA with Ajv, and every problem is reported as `file:line:column: key:
// message`, with a "did you mean" hint for misspelt keys, rules, presets and suites.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { TlsVersion } from '../model.js';
import { SUITES, suiteByCode, suiteByName } from '../wire/suites.js';
import type { FailOn, Policy, PresetName, Suppression } from './policy.js';
import { PRESET_NAMES } from './policy.js';
import { isPresetName, presetPolicy } from './presets/index.js';
import type { RuleId, RuleSetting } from './rules.js';
import { POLICY_SCHEMA } from './schema.js';
import { listText, versionLabel, versionRank } from './text.js';

export interface PolicyProblem {
  line?: number;
  column?: number;
  /** Where in the file, for example `rules['sni.not-honored']` or `suppressions[0].reason`. */
  key?: string;
  message: string;
}

/** A policy that cannot be loaded; the message names the file, line and key of each problem. */
export class PolicyError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly key?: string;
  readonly problems: PolicyProblem[];

  constructor(file: string | undefined, problems: PolicyProblem[]) {
    super(problems.map((problem) => formatProblem(file, problem)).join('\n'));
    this.name = 'PolicyError';
    this.file = file;
    this.problems = problems;
    this.line = problems[0]?.line;
    this.column = problems[0]?.column;
    this.key = problems[0]?.key;
  }
}

function formatProblem(file: string | undefined, problem: PolicyProblem): string {
  const where = [file ?? 'policy', problem.line, problem.line ? problem.column : undefined]
    .filter((part) => part !== undefined)
    .join(':');
  return `${where}: ${problem.key ? `${problem.key}: ` : ''}${problem.message}`;
}

export interface LoadPolicyOptions {
  /** Directory a relative policy file is resolved against (default: the process's). */
  cwd?: string;
  /** Overrides the policy's fail-on, for a command-line flag or an Action input. */
  failOn?: FailOn;
}

/**
 * The policy named by `spec`: a preset name (`webhook` when absent), or the path of a YAML or
 * JSON policy file. Throws PolicyError for an unknown name or an invalid file.
 */
export async function loadPolicy(spec?: string, options: LoadPolicyOptions = {}): Promise<Policy> {
  const name = spec?.trim() || 'webhook';
  // Preset names are words, as fail-on's values are: any case names them.
  const preset = name.toLowerCase();
  let policy: Policy;

  if (isPresetName(preset)) {
    policy = presetPolicy(preset);
  } else {
    const path = resolve(options.cwd ?? process.cwd(), name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
      const hint = suggest(name, PRESET_NAMES);
      throw new PolicyError(name, [
        {
          message:
            `not a preset (${listText([...PRESET_NAMES], 'or')}) and not a readable policy ` +
            `file: ${reason}${hint ? `; did you mean '${hint}'?` : ''}`,
        },
      ]);
    }
    policy = parsePolicy(text, name);
  }

  if (options.failOn) {
    policy.failOn = options.failOn;
  }
  return policy;
}

// --- Parsing ----------------------------------------------------------------------------------

interface PolicyFile {
  extends?: PresetName;
  name?: string;
  'fail-on'?: FailOn;
  'min-version'?: TlsVersion;
  suites?: SuiteReference[] | { add?: SuiteReference[]; remove?: SuiteReference[] };
  'expiry-warning-days'?: number;
  rules?: Partial<Record<RuleId, RuleSetting>>;
  suppressions?: { id: RuleId; endpoint: string; reason: string; expires?: string }[];
}

type SuiteReference = string | number;

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
    // ajv-formats is CommonJS; under NodeNext its default import is the module object.
    const addFormats = ((addFormatsModule as { default?: unknown }).default ??
      addFormatsModule) as (ajv: Ajv, formats: string[]) => Ajv;
    addFormats(ajv, ['date', 'date-time']);
    validator = ajv.compile(POLICY_SCHEMA);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** Parses and checks a policy file's text; `file` is the name used in messages. */
export function parsePolicy(text: string, file: string): Policy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  const locate = (offset: number | undefined): { line?: number; column?: number } => {
    if (offset === undefined) return {};
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };

  if (document.errors.length > 0) {
    throw new PolicyError(
      file,
      document.errors.map((error) => ({
        line: error.linePos?.[0].line,
        column: error.linePos?.[0].col,
        message: `not valid YAML or JSON: ${firstLine(error.message)}`,
      })),
    );
  }

  // toJS refuses documents that expand aliases without bound (yaml's maxAliasCount).
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    throw new PolicyError(file, [{ line: 1, message: `cannot be read: ${String(error)}` }]);
  }
  if (data === null || data === undefined) {
    throw new PolicyError(file, [{ line: 1, message: 'the policy file is empty' }]);
  }

  const schemaProblems = schemaErrors(validate(data), document, locate);
  if (schemaProblems.length > 0) {
    // The problems of meaning too (unknown suites, removals of suites not listed), where the
    // file's shape lets them be read, so that one run shows every problem.
    let meaning: PolicyProblem[] = [];
    try {
      buildPolicy(data as PolicyFile, file, document, locate);
    } catch (error) {
      if (error instanceof PolicyError) meaning = error.problems;
    }
    const all = dedupe([...schemaProblems, ...meaning]);
    throw new PolicyError(
      file,
      all.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    );
  }

  return buildPolicy(data as PolicyFile, file, document, locate);
}

/** The first line of a yaml error message, without the position the problem already has. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

// --- Schema errors to problems ------------------------------------------------------------------

type Locate = (offset: number | undefined) => { line?: number; column?: number };

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `rules['sni.not-honored']`, `suppressions[0].reason`, `fail-on`. */
export function keyPath(segments: (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) {
      path += `[${segment}]`;
    } else if (/^[A-Za-z_][\w-]*$/.test(segment)) {
      path += path ? `.${segment}` : segment;
    } else {
      path += `['${segment}']`;
    }
  }
  return path;
}

/** The node at a path, and the key node of the last step when the path ends in a map. */
function nodeAt(document: Document, segments: string[]): { node?: Node; key?: Node } {
  let node: unknown = document.contents;
  let key: Node | undefined;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment,
      );
      key = pair?.key as Node | undefined;
      node = pair?.value;
    } else if (isSeq(node)) {
      key = undefined;
      node = node.items[Number(segment)];
    } else {
      return {};
    }
  }
  return { node: node as Node | undefined, key };
}

function offsetOf(node: Node | undefined): number | undefined {
  return node?.range?.[0];
}

function schemaErrors(errors: ErrorObject[], document: Document, locate: Locate): PolicyProblem[] {
  // An anyOf failure stands for its branches: report it once, not each branch.
  const anyOfPaths = errors
    .filter((error) => error.keyword === 'anyOf')
    .map((error) => error.schemaPath);
  const kept = errors.filter(
    (error) =>
      error.keyword === 'anyOf' ||
      !anyOfPaths.some((path) => error.schemaPath.startsWith(`${path}/`)),
  );

  const problems: PolicyProblem[] = [];
  for (const error of kept) {
    const segments = pointerSegments(error.instancePath);
    const { node, key } = nodeAt(document, segments);
    const parentSchema = (error.parentSchema ?? {}) as {
      properties?: Record<string, unknown>;
      enum?: unknown[];
      description?: string;
    };

    switch (error.keyword) {
      case 'additionalProperties': {
        const extra = String((error.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys(parentSchema.properties ?? {});
        const hint = suggest(extra, known);
        const inRules = segments.length === 1 && segments[0] === 'rules';
        const entry = nodeAt(document, [...segments, extra]);
        const help = hint ? `did you mean '${hint}'?` : `known keys: ${known.join(', ')}`;
        problems.push({
          ...locate(offsetOf(entry.key ?? entry.node ?? node)),
          key: keyPath([...segments, extra]),
          message: inRules
            ? `unknown rule '${extra}'${hint ? `; did you mean '${hint}'?` : ''}`
            : `unknown key '${extra}'; ${help}`,
        });
        break;
      }
      case 'required': {
        const missing = String((error.params as { missingProperty: string }).missingProperty);
        problems.push({
          ...locate(offsetOf(node ?? key)),
          key: keyPath(segments),
          message: `missing key '${missing}'`,
        });
        break;
      }
      case 'enum': {
        const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
        const value = String(error.data);
        const isRule = segments[0] === 'suppressions' && segments.at(-1) === 'id';
        const hint = suggest(value, allowed);
        const help = hint ? `; did you mean '${hint}'?` : '';
        problems.push({
          ...locate(offsetOf(node)),
          key: keyPath(segments),
          message: isRule
            ? `unknown rule '${value}'${help}`
            : `'${value}' is not allowed${help || ` (allowed: ${allowed.join(', ')})`}`,
        });
        break;
      }
      case 'type':
        problems.push({
          ...locate(offsetOf(node)),
          key: keyPath(segments),
          message: typeMessage(
            segments,
            String((error.params as { type: string | string[] }).type),
          ),
        });
        break;
      case 'anyOf':
        problems.push({
          ...locate(offsetOf(node)),
          key: keyPath(segments),
          message: `must be a date (YYYY-MM-DD) or an ISO date-time, not '${String(error.data)}'`,
        });
        break;
      case 'minLength':
      case 'pattern':
        problems.push({
          ...locate(offsetOf(node)),
          key: keyPath(segments),
          message: 'must not be empty',
        });
        break;
      case 'minItems':
        problems.push({
          ...locate(offsetOf(node)),
          key: keyPath(segments),
          message: 'must name at least one suite',
        });
        break;
      default:
        problems.push({
          ...locate(offsetOf(node)),
          key: keyPath(segments),
          message: error.message ?? `fails ${error.keyword}`,
        });
    }
  }

  return dedupe(problems).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function typeMessage(segments: string[], type: string): string {
  const last = segments.at(-1);
  if (last === 'suites' && segments.length === 1) {
    return 'must be a list of suites, or a map with add and remove lists';
  }
  if (segments[0] === 'suites') {
    return 'must be a suite name or number';
  }
  const names: Record<string, string> = {
    object: 'a map of keys and values',
    array: 'a list',
    string: 'a string',
    integer: 'a whole number',
  };
  return `must be ${type
    .split(',')
    .map((name) => names[name] ?? name)
    .join(' or ')}`;
}

function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.line}/${problem.key}/${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// --- From a valid file to a policy --------------------------------------------------------------

function buildPolicy(data: PolicyFile, file: string, document: Document, locate: Locate): Policy {
  const policy = presetPolicy(data.extends ?? 'webhook');
  const problems: PolicyProblem[] = [];
  const at = (segments: (string | number)[]) => {
    const { node, key } = nodeAt(document, segments.map(String));
    return { ...locate(offsetOf(node ?? key)), key: keyPath(segments) };
  };

  policy.name = data.name ?? file;
  policy.file = file;
  if (data['fail-on']) policy.failOn = data['fail-on'];
  if (data['min-version']) policy.minVersion = data['min-version'];
  if (data['expiry-warning-days'] !== undefined) {
    policy.expiryWarningDays = data['expiry-warning-days'];
  }

  // Suites: a list replaces the preset's, add and remove change it.
  const resolveList = (references: SuiteReference[], path: (string | number)[]) =>
    references.flatMap((reference, index) => {
      const code = resolveSuite(reference);
      if (code === undefined) {
        const hint = typeof reference === 'string' ? suggest(reference, SUITE_NAMES) : undefined;
        problems.push({
          ...at([...path, index]),
          message: `unknown suite '${reference}'${hint ? `; did you mean '${hint}'?` : ''}`,
        });
        return [];
      }
      return [code];
    });

  if (Array.isArray(data.suites)) {
    policy.listedSuites = unique(resolveList(data.suites, ['suites']));
  } else if (data.suites) {
    const added = resolveList(data.suites.add ?? [], ['suites', 'add']);
    const removed = resolveList(data.suites.remove ?? [], ['suites', 'remove']);
    removed.forEach((code, index) => {
      if (!policy.listedSuites.includes(code)) {
        problems.push({
          ...at(['suites', 'remove', index]),
          message: `${suiteByCode(code)?.name ?? code} is not in the ${policy.preset} list`,
        });
      }
    });
    policy.listedSuites = unique([...policy.listedSuites, ...added]).filter(
      (code) => !removed.includes(code),
    );
    if (policy.listedSuites.length === 0 && problems.length === 0) {
      problems.push({ ...at(['suites']), message: 'removes every suite; keep at least one' });
    }
  }
  // Mozilla presets allow exactly their list; a changed list changes what is allowed.
  if (policy.allowedSuites) {
    policy.allowedSuites = [...policy.listedSuites];
  }

  // The list must have a suite usable at the minimum version or above.
  const usable = policy.listedSuites.some((code) => {
    const suite = suiteByCode(code);
    return suite !== undefined && versionRank(suite.maxVersion) >= versionRank(policy.minVersion);
  });
  if (!usable && problems.length === 0) {
    problems.push({
      ...at(data['min-version'] ? ['min-version'] : ['suites']),
      message:
        `no listed suite can be used with ${versionLabel(policy.minVersion)} or newer, so no ` +
        'endpoint could comply',
    });
  }

  for (const [id, setting] of Object.entries(data.rules ?? {})) {
    policy.severities[id as RuleId] = setting as RuleSetting;
  }

  policy.suppressions = (data.suppressions ?? []).map((entry, index): Suppression => {
    const { line } = at(['suppressions', index]);
    return {
      id: entry.id,
      endpoint: entry.endpoint,
      reason: entry.reason.trim(),
      ...(entry.expires !== undefined ? { expires: entry.expires } : {}),
      source: { file, line: line ?? 1 },
    };
  });

  if (problems.length > 0) {
    throw new PolicyError(file, problems);
  }
  return policy;
}

const SUITE_NAMES = SUITES.map((suite) => suite.name);

function resolveSuite(reference: SuiteReference): number | undefined {
  if (typeof reference === 'number') {
    return suiteByCode(reference)?.code;
  }
  const text = reference.trim();
  if (/^0x[0-9a-f]{1,4}$/i.test(text)) {
    return suiteByCode(Number.parseInt(text, 16))?.code;
  }
  return suiteByName(text)?.code ?? suiteByName(text.toUpperCase())?.code;
}

function unique(codes: number[]): number[] {
  return [...new Set(codes)];
}

// --- Hints --------------------------------------------------------------------------------------

function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(
        previous[j] + 1,
        previous[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** The closest known word, if one is close enough to be what the user meant. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  const squashed = squash(word);
  const same = known.find((candidate) => squash(candidate) === squashed);
  if (same) {
    return same;
  }
  // A shortened form of exactly one word: "1.2" for TLSv1.2.
  const shortened = known.filter(
    (candidate) => squashed.length >= 2 && squash(candidate).endsWith(squashed),
  );
  if (shortened.length === 1) {
    return shortened[0];
  }
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(squashed, squash(candidate));
    if (!best || distance < best.distance) {
      best = { candidate, distance };
    }
  }
  const limit = Math.max(2, Math.floor(squashed.length / 4));
  return best && best.distance <= limit ? best.candidate : undefined;
}
