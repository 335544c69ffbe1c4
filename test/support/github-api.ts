// A local stand-in for the GitHub REST API, reached through GITHUB_API_URL: the routes the
// Action uses for its pull request comment and its tracking issue (list, create and update
// issue comments; list, create and update issues). It keeps issues and comments in memory,
// paginates with Link headers as GitHub does, records every request, can answer writes with
// 403 as GitHub does for a token without write access (a pull request from a fork), can answer
// every request with a status of the test's choosing (a server error), and can hold its
// answers back, as an API that accepts connections and never answers does.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, for example /repos/acme/hooks/issues/7/comments. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: { login: string; type: string };
  createdAt: string;
  updatedAt: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  /** Pull requests are issues too in the REST API; the issues list returns both. */
  isPullRequest: boolean;
}

export interface FakeGitHub {
  /** Base URL for GITHUB_API_URL, for example http://127.0.0.1:41234. */
  url: string;
  owner: string;
  repo: string;
  requests: RecordedRequest[];
  comments: FakeComment[];
  issues: FakeIssue[];
  /** When true, every POST and PATCH gets 403 "Resource not accessible by integration". */
  forbidWrites: boolean;
  /** Milliseconds each answer is held back (0: at once); requests are recorded on arrival. */
  answerDelayMs: number;
  /** When set, every request gets this status, as from a failing or unreachable API. */
  failStatus: number | undefined;
  /** Requests other than GET, in order: what the Action changed. */
  writes(): RecordedRequest[];
  stop(): Promise<void>;
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  forbidWrites?: boolean;
  /** Largest page served whatever per_page asks (GitHub's is 100); small ones test paging. */
  maxPageSize?: number;
}

const BOT = { login: 'github-actions[bot]', type: 'Bot' };

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'hooks';
  const maxPageSize = options.maxPageSize ?? 100;
  let nextCommentId = 1000;

  const state: Omit<FakeGitHub, 'url' | 'stop'> = {
    owner,
    repo,
    requests: [],
    comments: [],
    issues: [],
    forbidWrites: options.forbidWrites ?? false,
    answerDelayMs: 0,
    failStatus: undefined,
    writes: () => state.requests.filter((request) => request.method !== 'GET'),
  };

  // Answers not sent yet; stop() drops them with their connections.
  const heldBack = new Set<NodeJS.Timeout>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: request.headers.authorization,
        body: text ? JSON.parse(text) : undefined,
      };
      state.requests.push(recorded);

      const answer = () => {
        const reply = route(recorded, url);
        const headers: Record<string, string> = { 'content-type': 'application/json' };

        if (reply.link) {
          headers.link = reply.link;
        }

        response.writeHead(reply.status, headers);
        response.end(reply.status === 204 ? undefined : JSON.stringify(reply.body));
      };

      if (state.answerDelayMs > 0) {
        const timer = setTimeout(() => {
          heldBack.delete(timer);
          answer();
        }, state.answerDelayMs);
        heldBack.add(timer);
      } else {
        answer();
      }
    });
  });

  interface Reply {
    status: number;
    body?: unknown;
    link?: string;
  }

  const prefix = `/repos/${owner}/${repo}`;

  function route(request: RecordedRequest, url: URL): Reply {
    if (state.failStatus !== undefined) {
      return { status: state.failStatus, body: { message: 'Server Error' } };
    }

    if (!request.path.startsWith(`${prefix}/`)) {
      return notFound();
    }

    if (request.method !== 'GET' && state.forbidWrites) {
      return {
        status: 403,
        body: {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest',
          status: '403',
        },
      };
    }

    const rest = request.path.slice(prefix.length);
    const body = (request.body ?? {}) as Record<string, unknown>;

    for (const [pattern, handler] of routes) {
      const match = pattern.exec(rest);

      if (match) {
        return handler(request, url, body, Number(match[1]));
      }
    }

    return notFound();
  }

  type Handler = (
    request: RecordedRequest,
    url: URL,
    body: Record<string, unknown>,
    id: number,
  ) => Reply;

  const issueComments: Handler = (request, url, body, issueNumber) => {
    if (request.method === 'GET') {
      const all = state.comments.filter((comment) => comment.issueNumber === issueNumber);
      return page(all.map(commentJson), url);
    }

    if (request.method !== 'POST') {
      return notFound();
    }

    const now = new Date().toISOString();
    const comment: FakeComment = {
      id: nextCommentId++,
      issueNumber,
      body: String(body.body ?? ''),
      user: BOT,
      createdAt: now,
      updatedAt: now,
    };
    state.comments.push(comment);
    return { status: 201, body: commentJson(comment) };
  };

  const oneComment: Handler = (request, _url, body, id) => {
    const comment = state.comments.find((candidate) => candidate.id === id);

    if (!comment) {
      return notFound();
    }

    if (request.method === 'PATCH') {
      comment.body = String(body.body ?? comment.body);
      comment.updatedAt = new Date().toISOString();
    }

    return { status: 200, body: commentJson(comment) };
  };

  const issues: Handler = (request, url, body) => {
    if (request.method === 'GET') {
      const wanted = url.searchParams.get('state') ?? 'open';
      const labels = url.searchParams.get('labels')?.split(',').filter(Boolean) ?? [];
      const listed = [...state.issues]
        .reverse()
        .filter((issue) => wanted === 'all' || issue.state === wanted)
        .filter((issue) => labels.every((label) => issue.labels.includes(label)));
      return page(listed.map(issueJson), url);
    }

    if (request.method !== 'POST') {
      return notFound();
    }

    const issue: FakeIssue = {
      number: nextIssueNumber(),
      title: String(body.title ?? ''),
      body: String(body.body ?? ''),
      state: 'open',
      labels: Array.isArray(body.labels) ? body.labels.map(String) : [],
      isPullRequest: false,
    };
    state.issues.push(issue);
    return { status: 201, body: issueJson(issue) };
  };

  const oneIssue: Handler = (request, _url, body, issueNumber) => {
    const issue = state.issues.find((candidate) => candidate.number === issueNumber);

    if (!issue) {
      return notFound();
    }

    if (request.method === 'PATCH') {
      issue.title = typeof body.title === 'string' ? body.title : issue.title;
      issue.body = typeof body.body === 'string' ? body.body : issue.body;
      issue.state = body.state === 'closed' || body.state === 'open' ? body.state : issue.state;
    }

    return { status: 200, body: issueJson(issue) };
  };

  const routes: [RegExp, Handler][] = [
    [/^\/issues\/(\d+)\/comments$/, issueComments],
    [/^\/issues\/comments\/(\d+)$/, oneComment],
    [/^\/issues$/, issues],
    [/^\/issues\/(\d+)$/, oneIssue],
  ];

  function nextIssueNumber(): number {
    return Math.max(0, ...state.issues.map((issue) => issue.number)) + 1;
  }

  /** One page of a list, with GitHub's Link header pointing at the next and last pages. */
  function page(items: unknown[], url: URL): Reply {
    const perPage = Math.min(maxPageSize, Number(url.searchParams.get('per_page') ?? 30));
    const pageNumber = Number(url.searchParams.get('page') ?? 1);
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);

    const pageUrl = (n: number): string => {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(n));
      next.searchParams.set('per_page', String(perPage));
      return `${fake.url}${next.pathname}${next.search}`;
    };

    const link =
      pageNumber < lastPage
        ? `<${pageUrl(pageNumber + 1)}>; rel="next", <${pageUrl(lastPage)}>; rel="last"`
        : undefined;

    return { status: 200, body: slice, link };
  }

  function commentJson(comment: FakeComment): unknown {
    return {
      id: comment.id,
      body: comment.body,
      user: comment.user,
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      html_url:
        `https://github.com/${owner}/${repo}/issues/${comment.issueNumber}` +
        `#issuecomment-${comment.id}`,
    };
  }

  function issueJson(issue: FakeIssue): unknown {
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      labels: issue.labels.map((name) => ({ name })),
      html_url: `https://github.com/${owner}/${repo}/issues/${issue.number}`,
      ...(issue.isPullRequest ? { pull_request: { url: `${prefix}/pulls/${issue.number}` } } : {}),
    };
  }

  function notFound(): Reply {
    return { status: 404, body: { message: 'Not Found', status: '404' } };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeGitHub = Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of heldBack) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });

  return fake;
}
