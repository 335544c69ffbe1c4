// The tracking issue of scheduled audits (issue: on-failure): one open issue per audit, found
// by a hidden marker that names the audit, that lists the endpoints that fail the policy. A run
// with any opens it or rewrites its body; the first run after that with none comments and
// closes it. The title is written once, when the issue is opened: the marker finds the issue,
// so a user may rename it. Like the comment, a refused write is a warning naming the
// permission, never a failure of the audit.

import { markerOf, startsWithMarker } from './comment.js';
import { type GitHubClient, type RunContext, statusOf } from './github.js';

/** How every marker of the tracking issue starts; the audit's name follows (issueMarker). */
export const ISSUE_MARKER_PREFIX = '<!-- webhook-tls-probe:tracking-issue';

/**
 * The hidden first line of one audit's tracking issue, how a later run of that audit finds it:
 * another audit (another workflow or job) keeps an issue of its own, and never closes this one.
 */
export function issueMarker(audit: string): string {
  return markerOf(ISSUE_MARKER_PREFIX, audit);
}

const ISSUE_MAX_CHARACTERS = 65_536;

export type TrackingResult =
  | { kind: 'opened' | 'updated' | 'closed'; number: number; url: string }
  | { kind: 'unchanged' }
  | { kind: 'refused'; warning: string };

export interface TrackingUpdate {
  /** The audit's name (auditName): each audit keeps an issue of its own. */
  audit: string;
  /** Whether any endpoint is not compliant or not scanned: the issue stays open while so. */
  failed: boolean;
  /** The title of a newly opened issue; an open issue keeps the title it has. */
  title: string;
  /** Markdown of the current failures; the marker is added here. */
  body: string;
  /** The comment left when the issue is closed. */
  closingComment: string;
}

/** Opens, updates or closes the tracking issue to match this run. */
export async function syncTrackingIssue(
  client: GitHubClient,
  context: RunContext,
  update: TrackingUpdate,
): Promise<TrackingResult> {
  const repo = { owner: context.owner, repo: context.repo };
  const marker = issueMarker(update.audit);

  try {
    const open = await client.paginate(client.rest.issues.listForRepo, {
      ...repo,
      state: 'open',
      per_page: 100,
    });
    // The issues list holds pull requests too; only a real issue can be the tracking issue,
    // and only one whose body starts with this audit's marker: another audit's issue is that
    // audit's to close, and an issue that quotes the marker is someone's own.
    const existing = open.find(
      (issue) => !issue.pull_request && startsWithMarker(issue.body, marker),
    );

    if (update.failed) {
      const body = withMarker(marker, update.body);

      if (existing) {
        const { data } = await client.rest.issues.update({
          ...repo,
          issue_number: existing.number,
          body,
        });
        return { kind: 'updated', number: data.number, url: data.html_url };
      }

      const { data } = await client.rest.issues.create({ ...repo, title: update.title, body });
      return { kind: 'opened', number: data.number, url: data.html_url };
    }

    if (!existing) {
      return { kind: 'unchanged' };
    }

    await client.rest.issues.createComment({
      ...repo,
      issue_number: existing.number,
      body: update.closingComment,
    });
    const { data } = await client.rest.issues.update({
      ...repo,
      issue_number: existing.number,
      state: 'closed',
      state_reason: 'completed',
    });
    return { kind: 'closed', number: data.number, url: data.html_url };
  } catch (error) {
    return { kind: 'refused', warning: refusalWarning(error, context) };
  }
}

/** Why the issue could not be written, with the HTTP status when the API gave one. */
function refusalWarning(error: unknown, context: RunContext): string {
  const status = statusOf(error);
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  const what = 'Could not update the tracking issue';

  switch (status) {
    case undefined:
      return `${what}: ${message}.`;
    case 403:
      return (
        `${what} (HTTP 403): the token lacks the issues: write permission (add it under ` +
        'permissions: in the workflow).'
      );
    case 404:
      // GitHub answers 404, not 403, to a token that may not see a repository.
      return (
        `${what} (HTTP 404): the repository ${context.owner}/${context.repo} was not found, ` +
        'or the token may not see it or lacks the issues: write permission.'
      );
    default:
      return `${what} (HTTP ${status}): ${message}.`;
  }
}

function withMarker(marker: string, body: string): string {
  const text = `${marker}\n${body}`;

  if (text.length < ISSUE_MAX_CHARACTERS) {
    return text;
  }

  const note = '\n\n… cut to fit an issue; the job summary of the run has the whole report.\n';
  return text.slice(0, ISSUE_MAX_CHARACTERS - note.length - 1) + note;
}
