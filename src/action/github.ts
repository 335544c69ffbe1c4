// What the Action needs to know about the run it is part of (repository, event, pull request,
// fork or not) and the REST client for the comment and the tracking issue. Read from the
// environment the runner sets (GITHUB_REPOSITORY, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
// GITHUB_API_URL), when the Action runs, never at import.

import { existsSync, readFileSync } from 'node:fs';
import { getOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof getOctokit>;

/**
 * How long one REST request may take. GitHub answers in well under a second; without a bound,
 * an API that accepts the connection and never answers holds the step for minutes per request
 * (the HTTP client's own header timeout is five minutes).
 */
export const API_TIMEOUT_MS = 30_000;

/**
 * An environment variable that replaces API_TIMEOUT_MS, in milliseconds. It exists for the
 * tests, which check a silent API without waiting 30 seconds; it is not an input, since a
 * workflow has no reason to change it.
 */
export const API_TIMEOUT_VARIABLE = 'WEBHOOK_TLS_PROBE_API_TIMEOUT_MS';

export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** Set for pull_request and pull_request_target events. */
  pullRequest?: PullRequest;
  /** Link to this workflow run, for the tracking issue. */
  runUrl?: string;
  /** The workflow's name (GITHUB_WORKFLOW) and the job's id (GITHUB_JOB), when set. */
  workflow?: string;
  job?: string;
  apiUrl: string;
  /** Longest wait for one REST request; API_TIMEOUT_MS when absent. */
  apiTimeoutMs?: number;
}

export interface PullRequest {
  number: number;
  fromFork: boolean;
}

/** Reads the run's context; undefined when GITHUB_REPOSITORY is missing (not in Actions). */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext | undefined {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');

  if (!owner || !repo) {
    return undefined;
  }

  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const timeoutText = env[API_TIMEOUT_VARIABLE];

  return {
    owner,
    repo,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    pullRequest: readPullRequest(env),
    runUrl: env.GITHUB_RUN_ID
      ? `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined,
    workflow: env.GITHUB_WORKFLOW || undefined,
    job: env.GITHUB_JOB || undefined,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    apiTimeoutMs: timeoutText && Number(timeoutText) > 0 ? Number(timeoutText) : undefined,
  };
}

/** The pull request of the triggering event, when it has one (pull_request and its kin). */
export function readPullRequest(env: NodeJS.ProcessEnv = process.env): PullRequest | undefined {
  const payload = readEvent(env.GITHUB_EVENT_PATH);
  const pull = payload.pull_request;

  if (!pull) {
    return undefined;
  }

  // A fork's head repository can be deleted (repo: null); it is still not the base.
  const baseName = payload.repository?.full_name ?? env.GITHUB_REPOSITORY;
  const headName = pull.head?.repo?.full_name;
  return { number: pull.number, fromFork: headName !== baseName };
}

/** The parts of a webhook event payload the Action looks at. */
interface EventPayload {
  repository?: { full_name?: string };
  pull_request?: { number: number; head?: { repo?: { full_name?: string } | null } };
}

function readEvent(file: string | undefined): EventPayload {
  if (!file || !existsSync(file)) {
    return {};
  }

  try {
    return JSON.parse(readFileSync(file, 'utf8')) as EventPayload;
  } catch {
    return {};
  }
}

/** A REST request that got no complete answer within the time allowed. */
export class ApiTimeoutError extends Error {
  constructor(
    readonly request: string,
    readonly timeoutMs: number,
  ) {
    super(`${request} timed out after ${secondsText(timeoutMs)} without an answer from the API`);
    this.name = 'ApiTimeoutError';
  }
}

/** The REST client; every request, each page of a list included, is bounded in time. */
export function createClient(token: string, context: RunContext): GitHubClient {
  const client = getOctokit(token, { baseUrl: context.apiUrl });
  const timeoutMs = context.apiTimeoutMs ?? API_TIMEOUT_MS;

  // A signal of its own for each request: one signal for the client would cap the whole run
  // of requests, not each one. It covers the response body as well as the headers. The options
  // are changed in place: the hooks inside this one (the token's) are handed the object this
  // hook got, not the one it passes on.
  client.hook.wrap('request', async (request, options) => {
    const signal = AbortSignal.timeout(timeoutMs);
    options.request = { ...options.request, signal };

    try {
      return await request(options);
    } catch (error) {
      if (signal.aborted) {
        throw new ApiTimeoutError(`${options.method} ${options.url}`, timeoutMs);
      }
      throw error;
    }
  });

  return client;
}

/** The HTTP status of a failed REST call, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function secondsText(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
