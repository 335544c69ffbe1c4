// The pull request comment: one per pull request and audit, found again by a hidden marker that
// names the audit and updated in place on each run, so a pull request never collects a stack of
// stale reports, and two audits of one pull request (two jobs, two steps) keep a comment each.
// Writing it
// is a courtesy, never the verdict: a token that may not write (a pull request from a fork, or
// a workflow without pull-requests: write) gives a warning that says so, never a failure.

import { type GitHubClient, type PullRequest, type RunContext, statusOf } from './github.js';
import type { CommentMode } from './settings.js';

/** How every marker of the comment starts; the audit's name follows (commentMarker). */
export const COMMENT_MARKER_PREFIX = '<!-- webhook-tls-probe:pull-request-comment';

/**
 * The hidden first line of the comment of one audit, how a later run of that audit finds the
 * comment to update. An empty name (a run outside a workflow) gives the bare marker.
 */
export function commentMarker(audit: string): string {
  return markerOf(COMMENT_MARKER_PREFIX, audit);
}

/**
 * A marker with the audit's name in it. The name is percent-encoded, so that it cannot end the
 * HTML comment early ("-->") and two names never give one marker.
 */
export function markerOf(prefix: string, audit: string): string {
  return audit === '' ? `${prefix} -->` : `${prefix} audit=${encodeURIComponent(audit)} -->`;
}

/** GitHub refuses comment bodies of 65,536 characters or more. */
export const COMMENT_MAX_CHARACTERS = 65_536;

export interface CommentDecision {
  /** Write a new comment when none exists yet. */
  create: boolean;
  /** Update the existing comment, if there is one. */
  update: boolean;
}

/**
 * When to write: `always` on every run; `on-failure` when the run fails; `auto` also when the
 * baseline shows changes. Whatever the mode (but never), an existing comment is brought up to
 * date, so it never keeps showing failures that are fixed.
 */
export function decideComment(
  mode: CommentMode,
  state: { failed: boolean; changed: boolean },
): CommentDecision {
  switch (mode) {
    case 'never':
      return { create: false, update: false };
    case 'always':
      return { create: true, update: true };
    case 'on-failure':
      return { create: state.failed, update: true };
    case 'auto':
      return { create: state.failed || state.changed, update: true };
  }
}

export type CommentResult =
  | { kind: 'created' | 'updated'; id: number; url: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'refused'; warning: string };

/**
 * Creates or updates the comment of this audit (named as auditName gives it) on the pull
 * request; never throws for a refusal.
 */
export async function publishComment(
  client: GitHubClient,
  context: RunContext,
  comment: { audit: string; body: string },
  decision: CommentDecision,
): Promise<CommentResult> {
  const pull = context.pullRequest;

  if (!pull) {
    return { kind: 'skipped', reason: `no pull request in a ${context.eventName} event` };
  }

  if (!decision.create && !decision.update) {
    return { kind: 'skipped', reason: 'comment is never' };
  }

  const target = { owner: context.owner, repo: context.repo, issue_number: pull.number };
  const marker = commentMarker(comment.audit);
  const text = withMarker(marker, comment.body);

  try {
    const comments = await client.paginate(client.rest.issues.listComments, {
      ...target,
      per_page: 100,
    });
    // Only a body that starts with this audit's marker is ours: another audit's comment is
    // that audit's to update, and a reviewer who pastes the marker into a comment of their own
    // must never have it overwritten.
    const existing = comments.find((candidate) => startsWithMarker(candidate.body, marker));

    if (existing && decision.update) {
      const { data } = await client.rest.issues.updateComment({
        owner: context.owner,
        repo: context.repo,
        comment_id: existing.id,
        body: text,
      });
      return { kind: 'updated', id: data.id, url: data.html_url };
    }

    if (!existing && decision.create) {
      const { data } = await client.rest.issues.createComment({ ...target, body: text });
      return { kind: 'created', id: data.id, url: data.html_url };
    }

    return { kind: 'skipped', reason: 'nothing new to say and no earlier comment to update' };
  } catch (error) {
    return { kind: 'refused', warning: refusalWarning(error, context, pull) };
  }
}

/** Whether a body's first line is exactly the marker, as withMarker writes it. */
export function startsWithMarker(body: string | null | undefined, marker: string): boolean {
  return body === marker || (body?.startsWith(`${marker}\n`) ?? false);
}

/** The marker first, and the body cut to fit GitHub's limit with a note saying so. */
export function withMarker(marker: string, body: string): string {
  const text = `${marker}\n${body}`;

  if (text.length < COMMENT_MAX_CHARACTERS) {
    return text;
  }

  const note = '\n\n… cut to fit a pull request comment; the job summary has the whole report.\n';
  return text.slice(0, COMMENT_MAX_CHARACTERS - note.length - 1) + note;
}

/** Why the comment could not be written, with the HTTP status when the API gave one. */
function refusalWarning(error: unknown, context: RunContext, pull: PullRequest): string {
  const status = statusOf(error);
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  const what = 'Could not write the pull request comment';
  const after = 'The job summary has the report.';

  if (status === 403) {
    const why = pull.fromFork
      ? 'this pull request comes from a fork, and GitHub gives workflows on forks a read-only ' +
        'token'
      : 'the token lacks the pull-requests: write permission (add it under permissions: in ' +
        'the workflow)';
    return `${what} (HTTP 403): ${why}. ${after}`;
  }

  if (status === 404) {
    // GitHub answers 404, not 403, to a token that may not see a repository.
    return (
      `${what} (HTTP 404): pull request #${pull.number} of ${context.owner}/${context.repo} ` +
      `was not found, or the token may not see the repository or lacks the pull-requests: ` +
      `write permission. ${after}`
    );
  }

  return status === undefined
    ? `${what}: ${message}. ${after}`
    : `${what} (HTTP ${status}): ${message}. ${after}`;
}
