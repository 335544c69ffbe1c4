// The pull request comment and the tracking issue against the local GitHub API fake: found by
// marker and updated in place, 403 turned into a warning that names the permission, and the
// tracking issue opened, updated and closed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMENT_MARKER_PREFIX,
  COMMENT_MAX_CHARACTERS,
  commentMarker,
  decideComment,
  publishComment,
  withMarker,
} from '../../src/action/comment.js';
import { createClient, type RunContext } from '../../src/action/github.js';
import { issueMarker, syncTrackingIssue } from '../../src/action/tracking-issue.js';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.js';

let github: FakeGitHub;

/** The audit the tests write for, as the workflow and the job name it. */
const AUDIT = 'Webhook TLS / probe';

beforeAll(async () => {
  // A small page size makes the Action page through comments and issues as on a busy repository.
  github = await startFakeGitHub({ maxPageSize: 2 });
});

afterAll(async () => {
  await github.stop();
});

function contextFor(pullNumber: number | undefined, fromFork = false): RunContext {
  return {
    owner: github.owner,
    repo: github.repo,
    eventName: pullNumber ? 'pull_request' : 'schedule',
    pullRequest: pullNumber ? { number: pullNumber, fromFork } : undefined,
    apiUrl: github.url,
  };
}

describe('decideComment', () => {
  it('creates only when the mode asks, and always updates an existing comment', () => {
    expect(decideComment('never', { failed: true, changed: true })).toEqual({
      create: false,
      update: false,
    });
    expect(decideComment('always', { failed: false, changed: false }).create).toBe(true);
    expect(decideComment('on-failure', { failed: false, changed: true })).toEqual({
      create: false,
      update: true,
    });
    expect(decideComment('on-failure', { failed: true, changed: false }).create).toBe(true);
    expect(decideComment('auto', { failed: false, changed: true }).create).toBe(true);
    expect(decideComment('auto', { failed: false, changed: false })).toEqual({
      create: false,
      update: true,
    });
  });
});

describe('publishComment', () => {
  it('creates one comment, then updates it in place among other comments', async () => {
    const client = createClient('test-token', contextFor(7));
    github.comments.push(
      ...[1, 2, 3].map((n) => ({
        id: n,
        issueNumber: 7,
        body: `a reviewer's comment ${n}`,
        user: { login: 'someone', type: 'User' },
        createdAt: '',
        updatedAt: '',
      })),
    );

    const first = await publishComment(
      client,
      contextFor(7),
      { audit: AUDIT, body: 'first report' },
      {
        create: true,
        update: true,
      },
    );
    const second = await publishComment(
      client,
      contextFor(7),
      { audit: AUDIT, body: 'second report' },
      {
        create: true,
        update: true,
      },
    );

    expect(first.kind).toBe('created');
    expect(second.kind).toBe('updated');
    const ours = github.comments.filter((comment) => comment.body.includes(COMMENT_MARKER_PREFIX));
    expect(ours).toHaveLength(1);
    expect(ours[0].body).toContain('second report');
    expect(ours[0].issueNumber).toBe(7);

    const patch = github.writes().find((request) => request.method === 'PATCH');
    expect(patch?.path).toBe(`/repos/acme/hooks/issues/comments/${ours[0].id}`);
    expect(patch?.authorization).toBe('token test-token');
    // Two pages of two comments each were read before the marker was found.
    const listed = github.requests.filter(
      (request) => request.method === 'GET' && request.path.endsWith('/issues/7/comments'),
    );
    expect(listed.length).toBeGreaterThanOrEqual(4);
  });

  it('leaves alone a reviewer’s comment with the marker anywhere but at its start', async () => {
    const client = createClient('test-token', contextFor(12));
    const alice = {
      id: 50,
      issueNumber: 12,
      body: `Why does the report hide this?\n\n    ${commentMarker(AUDIT)}\n`,
      user: { login: 'alice', type: 'User' },
      createdAt: '',
      updatedAt: '',
    };
    github.comments.push({ ...alice });

    const result = await publishComment(
      client,
      contextFor(12),
      { audit: AUDIT, body: 'the report' },
      {
        create: true,
        update: true,
      },
    );

    expect(result.kind).toBe('created');
    expect(github.comments.find((comment) => comment.id === 50)).toEqual(alice);
    expect(github.writes().some((request) => request.path.endsWith('/comments/50'))).toBe(false);
  });

  it('keeps one comment per audit, each updated only by its own audit', async () => {
    const write = (audit: string, body: string) =>
      publishComment(client8(), contextFor(13), { audit, body }, { create: true, update: true });

    // The second name starts with the first: matching is exact, not by prefix.
    await write(AUDIT, 'production report');
    await write(`${AUDIT} 2`, 'staging report');
    await write(AUDIT, 'production report, again');

    const bodies = github.comments
      .filter((comment) => comment.issueNumber === 13)
      .map((comment) => comment.body);
    expect(bodies).toEqual([
      `${commentMarker(AUDIT)}\nproduction report, again`,
      `${commentMarker(`${AUDIT} 2`)}\nstaging report`,
    ]);
  });

  it('does not create a comment when only an update is allowed and none exists', async () => {
    const before = github.comments.length;
    const result = await publishComment(
      client8(),
      contextFor(8),
      { audit: AUDIT, body: 'all fine' },
      {
        create: false,
        update: true,
      },
    );

    expect(result.kind).toBe('skipped');
    expect(github.comments.length).toBe(before);
  });

  it('skips events without a pull request', async () => {
    const result = await publishComment(
      client8(),
      contextFor(undefined),
      { audit: AUDIT, body: 'x' },
      {
        create: true,
        update: true,
      },
    );

    expect(result).toEqual({ kind: 'skipped', reason: 'no pull request in a schedule event' });
  });

  it('turns a 403 on a fork into a warning naming the fork, and writes nothing', async () => {
    github.forbidWrites = true;

    try {
      const before = github.comments.length;
      const fork = await publishComment(
        client8(),
        contextFor(9, true),
        { audit: AUDIT, body: 'x' },
        {
          create: true,
          update: true,
        },
      );
      const own = await publishComment(
        client8(),
        contextFor(9, false),
        { audit: AUDIT, body: 'x' },
        {
          create: true,
          update: true,
        },
      );

      expect(fork.kind).toBe('refused');
      expect(fork.kind === 'refused' && fork.warning).toMatch(/403.*fork.*read-only token/);
      expect(own.kind === 'refused' && own.warning).toMatch(/pull-requests: write/);
      expect(github.comments.length).toBe(before);
    } finally {
      github.forbidWrites = false;
    }
  });

  it('gives up on a request the API does not answer in time, saying so', async () => {
    github.answerDelayMs = 5_000;

    try {
      const context = { ...contextFor(10), apiTimeoutMs: 200 };
      const started = Date.now();
      const result = await publishComment(
        createClient('t', context),
        context,
        { audit: AUDIT, body: 'x' },
        {
          create: true,
          update: true,
        },
      );

      expect(Date.now() - started).toBeLessThan(2_000);
      expect(result.kind === 'refused' && result.warning).toMatch(
        /^Could not write the pull request comment: GET \S+ timed out after 0\.2 seconds/,
      );
    } finally {
      github.answerDelayMs = 0;
    }
  });

  it('cuts a body that would pass GitHub limit, saying so', () => {
    const text = withMarker(commentMarker(AUDIT), 'x'.repeat(100_000));

    expect(text.length).toBeLessThan(COMMENT_MAX_CHARACTERS);
    expect(text.startsWith(COMMENT_MARKER_PREFIX)).toBe(true);
    expect(text).toContain('cut to fit');
  });
});

describe('syncTrackingIssue', () => {
  it('opens the issue, rewrites its body, keeps its title, closes it once all pass', async () => {
    const client = client8();
    const context = contextFor(undefined);
    github.issues.push({
      number: 1,
      title: 'A pull request mentioning the marker',
      body: issueMarker(AUDIT),
      state: 'open',
      labels: [],
      isPullRequest: true,
    });

    const opened = await syncTrackingIssue(client, context, {
      audit: AUDIT,
      failed: true,
      title: '2 failing',
      body: 'first failures',
      closingComment: 'fixed',
    });
    // Someone renames the issue; the next failing run keeps the new title.
    const renamed = github.issues.find((issue) => issue.title === '2 failing')!;
    renamed.title = 'Webhook receivers: TLS (owned by the payments team)';

    const updated = await syncTrackingIssue(client, context, {
      audit: AUDIT,
      failed: true,
      title: '1 failing',
      body: 'second failures',
      closingComment: 'fixed',
    });
    const closed = await syncTrackingIssue(client, context, {
      audit: AUDIT,
      failed: false,
      title: '',
      body: '',
      closingComment: 'Every endpoint passes again.',
    });
    const quiet = await syncTrackingIssue(client, context, {
      audit: AUDIT,
      failed: false,
      title: '',
      body: '',
      closingComment: 'x',
    });

    expect(opened.kind).toBe('opened');
    expect(updated).toMatchObject({
      kind: 'updated',
      number: opened.kind === 'opened' ? opened.number : -1,
    });
    expect(closed.kind).toBe('closed');
    expect(quiet.kind).toBe('unchanged');

    const tracking = github.issues.filter((issue) => !issue.isPullRequest);
    expect(tracking).toHaveLength(1);
    expect(tracking[0]).toMatchObject({
      title: 'Webhook receivers: TLS (owned by the payments team)',
      state: 'closed',
    });
    const patches = github
      .writes()
      .filter((r) => r.path === `/repos/acme/hooks/issues/${renamed.number}`);
    expect(patches.every((r) => !(r.body as Record<string, unknown>).title)).toBe(true);
    expect(tracking[0].body).toContain('second failures');
    expect(github.comments.find((c) => c.issueNumber === tracking[0].number)?.body).toBe(
      'Every endpoint passes again.',
    );
  });

  it('keeps one issue per audit: an audit that passes closes only its own', async () => {
    const sync = (audit: string, failed: boolean) =>
      syncTrackingIssue(client8(), contextFor(undefined), {
        audit,
        failed,
        title: `${audit} failing`,
        body: `${audit} failures`,
        closingComment: `${audit} passes`,
      });
    const production = 'Audit / production';
    const staging = 'Audit / production-eu';

    const opened = await sync(production, true);
    const other = await sync(staging, false);
    const own = await sync(staging, true);

    expect(opened.kind).toBe('opened');
    expect(other.kind).toBe('unchanged');
    expect(own.kind).toBe('opened');
    const issueOf = (audit: string) =>
      github.issues.find((issue) => issue.body.startsWith(`${issueMarker(audit)}\n`))!;
    expect(issueOf(production).state).toBe('open');

    const closed = await sync(production, false);

    expect(closed).toMatchObject({ kind: 'closed', number: issueOf(production).number });
    expect(issueOf(production).state).toBe('closed');
    expect(issueOf(staging)).toMatchObject({
      state: 'open',
      body: expect.stringContaining(staging),
    });
  });

  it('leaves alone an open issue that quotes the marker, and closes none of it', async () => {
    const quoting = {
      number: 40,
      title: 'Why do audits leave hidden comments?',
      body: `They write \`${issueMarker(AUDIT)}\` at the top of their issue.`,
      state: 'open' as const,
      labels: [],
      isPullRequest: false,
    };
    github.issues.push({ ...quoting });
    const sync = (failed: boolean) =>
      syncTrackingIssue(client8(), contextFor(undefined), {
        audit: AUDIT,
        failed,
        title: 'failing',
        body: 'the failures',
        closingComment: 'passes',
      });

    const opened = await sync(true);
    await sync(false);

    expect(opened.kind).toBe('opened');
    expect(opened.kind === 'opened' && opened.number).not.toBe(40);
    expect(github.issues.find((issue) => issue.number === 40)).toEqual(quoting);
    expect(github.comments.some((comment) => comment.issueNumber === 40)).toBe(false);
  });

  it('turns a refused write into a warning naming issues: write', async () => {
    github.forbidWrites = true;

    try {
      const result = await syncTrackingIssue(client8(), contextFor(undefined), {
        audit: AUDIT,
        failed: true,
        title: 't',
        body: 'b',
        closingComment: 'c',
      });

      expect(result.kind === 'refused' && result.warning).toMatch(/HTTP 403.*issues: write/);
    } finally {
      github.forbidWrites = false;
    }
  });
});

describe('a request the API refuses', () => {
  const comment = (context: RunContext) =>
    publishComment(
      createClient('t', context),
      context,
      { audit: AUDIT, body: 'x' },
      {
        create: true,
        update: true,
      },
    );
  const issue = (context: RunContext) =>
    syncTrackingIssue(createClient('t', context), context, {
      audit: AUDIT,
      failed: true,
      title: 't',
      body: 'b',
      closingComment: 'c',
    });
  const warningOf = (result: { kind: string; warning?: string }) =>
    result.kind === 'refused' ? result.warning : result.kind;

  it('names the HTTP status of a server error', async () => {
    github.failStatus = 500;

    try {
      expect(warningOf(await comment(contextFor(14)))).toBe(
        'Could not write the pull request comment (HTTP 500): Server Error. ' +
          'The job summary has the report.',
      );
      expect(warningOf(await issue(contextFor(undefined)))).toBe(
        'Could not update the tracking issue (HTTP 500): Server Error.',
      );
    } finally {
      github.failStatus = undefined;
    }
  });

  it('gives both causes of a 404: a wrong repository, or the token', async () => {
    // The fake serves acme/hooks only: any other repository is not found, as on GitHub.
    const elsewhere = (pull: number | undefined) => ({ ...contextFor(pull), repo: 'hookz' });

    expect(warningOf(await comment(elsewhere(15)))).toBe(
      'Could not write the pull request comment (HTTP 404): pull request #15 of acme/hookz was ' +
        'not found, or the token may not see the repository or lacks the pull-requests: write ' +
        'permission. The job summary has the report.',
    );
    expect(warningOf(await issue(elsewhere(undefined)))).toBe(
      'Could not update the tracking issue (HTTP 404): the repository acme/hookz was not ' +
        'found, or the token may not see it or lacks the issues: write permission.',
    );
  });
});

function client8() {
  return createClient('test-token', contextFor(8));
}
