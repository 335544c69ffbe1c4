import { describe, expect, it } from 'vitest';
import {
  COMMENT_LIMIT_CHARS,
  renderComment,
  renderMarkdown,
  SUMMARY_LIMIT_BYTES,
} from '../../src/report/index.js';
import {
  compliantResult,
  legacyResult,
  makeReport,
  manyResults,
  mixedResults,
  partlyReachableResult,
  plainHttpResult,
  tls13OnlyResult,
} from './fixtures.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** The cells of the table row that starts with `first`. */
function rowOf(markdown: string, first: string): string[] {
  const line = markdown.split('\n').find((candidate) => candidate.startsWith(`| ${first} |`));
  if (!line) throw new Error(`no table row for ${first}`);
  return line
    .slice(2, -2)
    .split(/ (?<!\\)\| /)
    .map((cellText) => cellText.trim());
}

describe('the job summary', () => {
  const summary = renderMarkdown(makeReport());

  it('opens with the outcome, never adding "could not scan" to "non-compliant"', () => {
    expect(summary.split('\n')[0]).toBe(
      '## ❌ Webhook TLS: 2 of 5 endpoints non-compliant, could not scan 1 of 5 endpoints',
    );
    expect(summary).toContain('2 compliant, 2 non-compliant, 1 not scanned');
    expect(summary).toContain('webhook-tls-probe 0.1.0');
    expect(summary).toContain('took 42.0 s');

    const allGood = renderMarkdown(makeReport([compliantResult()]));
    expect(allGood.split('\n')[0]).toBe('## ✅ Webhook TLS: the endpoint is compliant');
  });

  it('has one overview row per endpoint with versions, sender suite, secrecy, days, SNI', () => {
    expect(summary).toContain(
      '| Endpoint | Verdict | Versions | Suite a sender gets | Forward secrecy | Certificate | ' +
        'SNI |',
    );
    expect(rowOf(summary, 'https://hooks.example.com/github')).toEqual([
      'https://hooks.example.com/github',
      '✅ compliant',
      'TLS 1.2, TLS 1.3',
      '`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`',
      'yes',
      '61 days',
      'honoured',
    ]);
    expect(rowOf(summary, 'legacy.example.org:8443')).toEqual([
      'legacy.example.org:8443',
      '❌ non-compliant',
      'TLS 1.0, TLS 1.2',
      '`TLS_RSA_WITH_AES_128_GCM_SHA256`',
      'no',
      '9 days',
      'honoured',
    ]);
    expect(rowOf(summary, 'https://gone.example.net/hook')[1]).toBe(
      '⚠️ not scanned: name does not resolve (getaddrinfo ENOTFOUND gone.example.net)',
    );
    expect(rowOf(summary, '192.0.2.44:8443')[6]).toBe('not sent (IP address)');
    expect(rowOf(summary, 'tls13only.example.com').slice(2, 5)).toEqual([
      'TLS 1.3',
      'none, refused with alert protocol\\_version (70)',
      '—',
    ]);
  });

  it('says a server with one certificate for every name needs no SNI, not that it ignores it', () => {
    const single = compliantResult();
    for (const address of single.scan.addresses) {
      address.certificates.sni.honoured = false;
    }
    const text = renderMarkdown(makeReport([single]));

    expect(rowOf(text, 'https://hooks.example.com/github')[6]).toBe('same for all names tried');
    expect(text).toContain(
      'not needed: the same certificate for this name, for none and for an unknown one',
    );
    expect(text).not.toContain('not honoured');
  });

  it('has a collapsible section per endpoint with suites, chain and findings with fixes', () => {
    expect(summary.match(/<details>\n<summary>/g)).toHaveLength(5);
    expect(summary).toContain(
      '<summary>❌ <code>legacy.example.org:8443</code>: ' +
        'non-compliant, 1 error, 2 warnings</summary>',
    );

    const legacy = sectionOf(summary, 'legacy.example.org:8443');
    expect(legacy).toContain('| TLS 1.2 | 1 | `TLS_RSA_WITH_AES_128_GCM_SHA256` | yes | no | — |');
    // A tester found the column empty, unexplained, for a server that follows the client.
    expect(sectionOf(summary, 'tls13only.example.com')).toContain(
      "| TLS 1.3 | none: follows the client's | `TLS_AES_256_GCM_SHA384` |",
    );
    expect(legacy).toContain(
      '| TLS 1.0 | accepted (TLS 1.0 TLS\\_RSA\\_WITH\\_AES\\_128\\_CBC\\_SHA) |',
    );
    expect(legacy).toContain('| 1 | CN=legacy.example.org | CN=Example Issuing CA,O=Example Trust');
    expect(legacy).toContain('9 days |');
    expect(legacy).toContain('❌ **error** `version.legacy-accepted`: Legacy protocol versions');
    expect(legacy).toContain('**Fix:** Allow only TLS 1.2 and TLS 1.3.');
    expect(legacy).toContain('```nginx\nssl_protocols TLSv1.2 TLSv1.3;\n```');
    expect(legacy).toContain('suppressed: load balancer resets by design (until 2026-12-31)');

    const gone = sectionOf(summary, 'https://gone.example.net/hook');
    expect(gone).toContain('Could not scan this endpoint: name does not resolve');

    // The IPv6 address answered like the IPv4 one; its tables are not repeated.
    const hooks = sectionOf(summary, 'https://hooks.example.com/github');
    expect(hooks).toContain('#### 2001:db8::10 (IPv6)\n\nThe same results as 192.0.2.10.');
    expect(hooks.match(/\*\*Certificate chain\*\*/g)).toHaveLength(1);
  });

  it('leaves compliant endpoints out when asked for failures only', () => {
    const failures = renderMarkdown(makeReport(), { onlyFailures: true });

    expect(failures).toContain('2 compliant endpoints not shown.');
    expect(failures).not.toContain('| https://hooks.example.com/github |');
    expect(failures).toContain('| legacy.example.org:8443 |');
    expect(failures.match(/<details>\n<summary>/g)).toHaveLength(3);
  });

  it('keeps endpoint text from breaking the table or the HTML', () => {
    const odd = legacyResult('https://odd.example.com/a|b<script>*x*`y`', 4);
    const markdown = renderMarkdown(makeReport([odd]));
    const row = markdown.split('\n').find((line) => line.startsWith('| https://odd'));

    expect(row?.split(/ (?<!\\)\| /)).toHaveLength(7);
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('<code>https://odd.example.com/a|b&lt;script&gt;*x*`y`</code>');
  });

  it('escapes no pipe inside code outside tables, where the backslash would show', () => {
    // A tester saw a policy named "payments | hooks" shown as `payments \| hooks`.
    const report = makeReport([legacyResult('https://odd.example.com/a|b', 4)]);
    report.policy.name = 'payments | hooks';
    const markdown = renderMarkdown(report);

    expect(markdown).toContain('Policy **`payments | hooks`**');
    expect(renderComment(report)).toContain('**`https://odd.example.com/a|b`**');
  });

  it('never lets text from a server mention anyone', () => {
    const hostile = plainHttpResult();
    hostile.scan.notScanned!.detail = 'plaintext HTTP reply (HTTP/1.1 400 ask @octocat)';
    for (const finding of hostile.findings) {
      finding.evidence.observed = hostile.scan.notScanned!.detail;
    }
    const report = makeReport([hostile]);

    for (const text of [renderMarkdown(report), renderComment(report)]) {
      expect(text).toContain('ask &#64;octocat');
      expect(text).not.toMatch(/@octocat/);
    }
  });

  it('stays under 1 MiB for a huge report, saying what it left out', () => {
    const huge = makeReport(manyResults(3000));
    const markdown = renderMarkdown(huge);

    expect(bytes(markdown)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(markdown).toContain('Shortened to stay under GitHub’s 1 MiB job summary limit');
    // Every endpoint still has its overview row.
    expect(
      markdown.match(/^\| (https:\/\/hooks-|legacy-|https:\/\/gone-|192\.0\.|tls13-)/gm),
    ).toHaveLength(3000);
  });

  it('drops the suite tables first, then whole sections, under a smaller limit', () => {
    const report = makeReport(manyResults(40));
    const full = renderMarkdown(report);
    expect(full).not.toContain('Shortened');

    const tight = renderMarkdown(report, { maxBytes: Math.floor(bytes(full) * 0.6) });
    expect(bytes(tight)).toBeLessThanOrEqual(Math.floor(bytes(full) * 0.6));
    expect(tight).toContain('the sections above leave out the suite tables and certificate chains');
    expect(tight.match(/<details>\n<summary>/g)).toHaveLength(40);
    expect(tight).not.toContain('**Certificate chain**');

    const tighter = renderMarkdown(report, { maxBytes: 20_000 });
    expect(bytes(tighter)).toBeLessThanOrEqual(20_000);
    expect(tighter).toMatch(/the sections of the last \d+ endpoints are left out/);

    const tiny = renderMarkdown(report, { maxBytes: 4_000 });
    expect(bytes(tiny)).toBeLessThanOrEqual(4_000);
    expect(tiny).toMatch(/more lines of rows of the overview table .* are left out/);
  });
});

describe('changes since a baseline', () => {
  it('lists regressions, fixes and other changes per endpoint', () => {
    const baseline = makeReport([compliantResult(), legacyResult()]);

    const worse = compliantResult();
    worse.verdict = 'non-compliant';
    worse.findings.push(legacyResult().findings[0]);
    const better = legacyResult();
    better.findings = better.findings.filter((entry) => entry.id !== 'version.legacy-accepted');

    const markdown = renderMarkdown(makeReport([worse, better, tls13OnlyResult()]), { baseline });
    const regressions = markdown.indexOf('**Regressions since the baseline (1)**');
    const fixed = markdown.indexOf('**Fixed since the baseline (1)**');
    const table = markdown.indexOf('| Endpoint | Verdict |');

    expect(regressions).toBeGreaterThan(0);
    expect(fixed).toBeGreaterThan(regressions);
    expect(table).toBeGreaterThan(fixed);
    expect(markdown).toContain(
      '- `https://hooks.example.com/github`: compliant → non-compliant; new: ' +
        'version.legacy-accepted Legacy protocol versions accepted (error)',
    );
    expect(markdown).toContain(
      '- `legacy.example.org:8443`: fixed: version.legacy-accepted Legacy protocol versions',
    );
    expect(markdown).toContain('**New endpoints:** `tls13only.example.com`');
  });

  it('says so when nothing changed', () => {
    const report = makeReport();
    expect(renderMarkdown(report, { baseline: report })).toContain(
      '**Since the baseline:** no changes.',
    );
  });
});

describe('the pull request comment', () => {
  it('leads with regressions, then the failing endpoints and their findings', () => {
    const baseline = makeReport([compliantResult()]);
    const worse = compliantResult();
    worse.verdict = 'non-compliant';
    worse.findings.push(legacyResult().findings[0]);

    const comment = renderComment(makeReport([worse, ...mixedResults().slice(1)]), { baseline });
    const regressions = comment.indexOf('**Regressions since the baseline (1)**');

    expect(comment.startsWith('### ❌ Webhook TLS:')).toBe(true);
    expect(regressions).toBeGreaterThan(0);
    expect(comment.indexOf('| Endpoint | Verdict |')).toBeGreaterThan(regressions);
    expect(comment).toContain('1 compliant endpoint not listed.');
    expect(comment).toContain(
      '- ❌ `version.legacy-accepted` Legacy protocol versions accepted: TLS 1.0 accepted',
    );
    expect(comment).not.toContain('alerts.improper-refusal');
    expect(comment).toContain('The job summary of the run has the suites, chains and fixes.');
  });

  it('stays under 65,536 characters, marker room included, for a huge report', () => {
    const results = manyResults(3000);
    const baseline = makeReport(manyResults(3000).map((entry) => ({ ...entry, findings: [] })));
    const comment = renderComment(makeReport(results), { baseline });

    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS - 536);
    expect(comment).toMatch(/\*\*Regressions since the baseline \(\d+\)\*\*/);
    expect(comment).toMatch(/Shortened to fit GitHub’s size limit: \d+ more lines of changes/);
    expect(
      comment.endsWith('_The job summary of the run has the suites, chains and fixes._\n'),
    ).toBe(true);

    const small = renderComment(makeReport(results), { maxChars: 10_000 });
    expect(small.length).toBeLessThanOrEqual(10_000);
  });
});

function sectionOf(markdown: string, input: string): string {
  const start = markdown.indexOf(`<code>${input}</code>`);
  const next = markdown.indexOf('\n<details>\n<summary>', start);
  return markdown.slice(start, next === -1 ? undefined : next);
}

describe('endpoints reached but not fully scanned', () => {
  const markdown = renderMarkdown(makeReport([plainHttpResult(), partlyReachableResult()]));

  it('words a port without TLS as non-compliant with its reason', () => {
    expect(rowOf(markdown, 'http-only.example.com:8080')[1]).toBe(
      '❌ non-compliant: port does not speak TLS (plaintext HTTP reply (HTTP/1.1 400 Bad Request))',
    );
    expect(sectionOf(markdown, 'http-only.example.com:8080')).toContain(
      'Non-compliant without further probes: port does not speak TLS',
    );
  });

  it('shows the scanned address’s facts and says which address could not be scanned', () => {
    expect(rowOf(markdown, 'https://split.example.com/h').slice(1)).toEqual([
      '✅ compliant',
      'TLS 1.2, TLS 1.3',
      '`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`',
      'yes',
      '61 days',
      'honoured',
    ]);
    expect(sectionOf(markdown, 'https://split.example.com/h')).toContain(
      '#### 2001:db8::10 (IPv6)\n\nCould not scan this address: connect ECONNREFUSED',
    );
  });
});
