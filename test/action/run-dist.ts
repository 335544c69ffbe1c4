// Runs the Action as the runner does: a child process with INPUT_* variables, a fresh
// GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and GITHUB_EVENT_PATH, and GITHUB_API_URL pointing at the
// local GitHub API fake; then reads back what it wrote: the outputs, the summary, the workflow
// commands (annotations, groups, debug lines) on stdout and the exit code. It runs the built
// bundle (dist/index.js), or the TypeScript source through tsx, so that a change to the Action
// is tested before dist is rebuilt.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';

export const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
export const SOURCE = fileURLToPath(new URL('../../src/action/index.ts', import.meta.url));

// An absolute URL: the child runs in a temporary workspace, where `--import tsx` would not
// find the package.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

// Each run's folders stay while the test file reads them, and go when it is done.
const roots: string[] = [];
afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

// The events the tests run the Action on, as the runner describes them in GITHUB_EVENT_PATH.
export const PUSH = { name: 'push', payload: { ref: 'refs/heads/main' } };
export const SCHEDULE = { name: 'schedule', payload: { schedule: '17 4 * * *' } };
export const DISPATCH = { name: 'workflow_dispatch', payload: { inputs: {} } };

/** The workflow and the job every run is part of, unless a test sets env to change them. */
export const WORKFLOW = 'Webhook TLS';
export const JOB = 'probe';

export function pullRequest(number: number, headRepository = 'acme/hooks') {
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number,
      pull_request: { number, head: { repo: { full_name: headRepository } } },
      repository: { full_name: 'acme/hooks' },
    },
  };
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface DistRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  commands: WorkflowCommand[];
  /** The workspace the run used, for files the test put there. */
  workspace: string;
  runnerTemp: string;
}

export interface DistRunOptions {
  inputs: Record<string, string>;
  event: { name: string; payload: unknown };
  /** The fake's URL; the Action talks to nothing else. */
  apiUrl: string;
  repository?: string;
  /** Files to create in the workspace, by relative path. */
  files?: Record<string, string>;
  /** The workflow file, relative to the workspace, as GITHUB_WORKFLOW_REF names it. */
  workflowFile?: string;
  debug?: boolean;
  timeoutMs?: number;
  /** Which Action to run: the bundle (the default) or the source. */
  entry?: 'dist' | 'source';
  /** Set after the runner-like variables, to change or (with undefined) remove one. */
  env?: Record<string, string | undefined>;
}

/** Runs the Action (dist/index.js unless told) once, in a fresh workspace and temporary folder. */
export async function runDist(options: DistRunOptions): Promise<DistRun> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'wtp-action-'));
  roots.push(root);
  const workspace = path.join(root, 'workspace');
  const runnerTemp = path.join(root, 'runner-temp');
  mkdirSync(workspace);
  mkdirSync(runnerTemp);

  for (const [file, text] of Object.entries(options.files ?? {})) {
    mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    writeFileSync(path.join(workspace, file), text);
  }

  const summaryFile = path.join(root, 'summary.md');
  const outputFile = path.join(root, 'output.txt');
  const eventFile = path.join(root, 'event.json');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  writeFileSync(eventFile, JSON.stringify(options.event.payload));

  const repository = options.repository ?? 'acme/hooks';

  // Built from nothing but PATH and HOME, so a test run inside GitHub Actions cannot leak the
  // real runner's GITHUB_* files into the child.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_REPOSITORY: repository,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKFLOW: WORKFLOW,
    GITHUB_JOB: JOB,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    ...(options.workflowFile
      ? { GITHUB_WORKFLOW_REF: `${repository}/${options.workflowFile}@refs/heads/main` }
      : {}),
    ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
  };

  for (const [name, value] of Object.entries(options.inputs)) {
    // @actions/core reads INPUT_ plus the name upper-cased, spaces as underscores.
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }

  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) {
      delete env[name];
    } else {
      env[name] = value;
    }
  }

  const args = options.entry === 'source' ? ['--import', TSX_LOADER, SOURCE] : [DIST];
  const { exitCode, stdout, stderr } = await spawnNode(args, env, workspace, options.timeoutMs);

  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    commands: parseCommands(stdout),
    workspace,
    runnerTemp,
  };
}

export function distExists(): boolean {
  return existsSync(DIST);
}

function spawnNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs = 120_000,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });

    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.at(-1)} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);

    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** Reads GITHUB_OUTPUT's `name<<delimiter` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);

  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<]+)<<(.+)$/.exec(lines[i]);

    if (!heredoc) {
      continue;
    }

    const [, name, delimiter] = heredoc;
    const end = lines.indexOf(delimiter, i + 1);
    outputs[name] = lines.slice(i + 1, end).join('\n');
    i = end;
  }

  return outputs;
}

/** Reads `::command key=value,...::message` lines, undoing the toolkit's escaping. */
export function parseCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];

  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);

    if (!match) {
      continue;
    }

    const properties: Record<string, string> = {};

    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const equals = pair.indexOf('=');
      properties[pair.slice(0, equals)] = unescapeCommand(pair.slice(equals + 1));
    }

    commands.push({ command: match[1], properties, message: unescapeCommand(match[3]) });
  }

  return commands;
}

function unescapeCommand(text: string): string {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}
