// What the Action needs to know about the run it is part of (repository, event, pull request,
// fork or not) and the REST client for the comment and the tracking issue. Read from the
// environment the runner sets (GITHUB_REPOSITORY, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
// GITHUB_API_URL), when the Action runs, never at import.

import { existsSync, readFileSync } from 'node:fs';
import { getOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** Set for pull_request and pull_request_target events. */
  pullRequest?: { number: number; fromFork: boolean };
  /** Link to this workflow run, for the tracking issue. */
  runUrl?: string;
  apiUrl: string;
}

/** Reads the run's context; undefined when GITHUB_REPOSITORY is missing (not in Actions). */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext | undefined {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');

  if (!owner || !repo) {
    return undefined;
  }

  const payload = readEvent(env.GITHUB_EVENT_PATH);
  const pull = payload.pull_request;
  const baseName = payload.repository?.full_name ?? repository;
  const headName = pull?.head?.repo?.full_name;
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';

  return {
    owner,
    repo,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    // A fork's head repository can be deleted (repo: null); it is still not the base.
    pullRequest: pull ? { number: pull.number, fromFork: headName !== baseName } : undefined,
    runUrl: env.GITHUB_RUN_ID
      ? `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
  };
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

export function createClient(token: string, context: RunContext): GitHubClient {
  return getOctokit(token, { baseUrl: context.apiUrl });
}

/** The HTTP status of a failed REST call, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
