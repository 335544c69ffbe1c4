import { describe, expect, it } from 'vitest';
import { evaluate, presetPolicy } from '../../src/policy/index.js';
import { RULES } from '../../src/policy/rules.js';
import { buildReport, renderJunit } from '../../src/report/index.js';
import { legacyResult, makeReport, NOW, plainHttpResult } from './fixtures.js';

/** Checks that tags nest and close properly and that no raw `<` or `&` is left in text. */
function wellFormed(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\n/, '');
  const token = /<(\/?)([A-Za-z-]+)((?:\s+[A-Za-z-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;

  for (const match of body.matchAll(token)) {
    const [, closing, name, , selfClosing, text, stray] = match;

    if (stray) {
      problems.push(`stray < at ${match.index}`);
    } else if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|#\d+);)/.test(text)) problems.push(`raw & in ${text.slice(0, 40)}`);
    } else if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (!selfClosing) {
      stack.push(name);
    }
  }

  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  return problems;
}

function attribute(xml: string, element: string, name: string): string | undefined {
  return new RegExp(`<${element} [^>]*${name}="([^"]*)"`).exec(xml)?.[1];
}

describe('JUnit XML', () => {
  const xml = renderJunit(makeReport());

  it('is well-formed XML', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(wellFormed(xml)).toEqual([]);
    expect(wellFormed('<a><b></a>')).not.toEqual([]);
  });

  it('has one suite per endpoint and one test case per endpoint and rule', () => {
    const rules = RULES.length;

    expect(xml.match(/<testsuite /g)).toHaveLength(5);
    expect(xml.match(/<testcase /g)).toHaveLength(5 * rules);
    expect(attribute(xml, 'testsuites', 'tests')).toBe(String(5 * rules));
    expect(xml).toContain('<testsuite name="legacy.example.org:8443" tests="' + rules + '"');
  });

  it('fails the rules with findings at the fail-on severity, and only those', () => {
    // legacy: version.legacy-accepted; TLS 1.3-only: suites.none-listed.
    expect(attribute(xml, 'testsuites', 'failures')).toBe('2');
    expect(xml).toContain(
      'name="version.legacy-accepted" time="0">\n' +
        '      <failure type="error" message="Legacy protocol versions accepted">' +
        'error: Legacy protocol versions accepted on 198.51.100.7\nObserved: TLS 1.0 accepted',
    );

    // A warning below the threshold passes and says what it saw.
    expect(xml).toContain(
      'name="certificate.expiring-soon" time="0">\n' +
        '      <system-out>warning: Certificate expires soon',
    );
  });

  it('reports an endpoint that could not be scanned as an error, its other rules skipped', () => {
    expect(attribute(xml, 'testsuites', 'errors')).toBe('1');
    expect(xml).toContain(
      'classname="https://gone.example.net/hook" name="endpoint.not-scanned" time="0">\n' +
        '      <error type="error"',
    );
    expect(xml).toContain(
      '<skipped message="not scanned: name does not resolve ' +
        '(getaddrinfo ENOTFOUND gone.example.net)"/>',
    );
    // The unresolved endpoint's other rules, plus the suppressed finding of the legacy one.
    expect(attribute(xml, 'testsuites', 'skipped')).toBe(String(RULES.length - 1 + 1));
    expect(xml).toContain('<skipped message="suppressed: load balancer resets by design"/>');
  });

  it('escapes what servers and users write', () => {
    const odd = legacyResult('https://odd.example.com/a&b"<c>', 4);
    odd.findings[0].evidence.observed = 'bytes \u0001\u0002 & <alert> "quoted"';
    const oddXml = renderJunit(makeReport([odd]));

    expect(wellFormed(oddXml)).toEqual([]);
    expect(oddXml).toContain('name="https://odd.example.com/a&amp;b&quot;&lt;c&gt;"');
    expect(oddXml).toContain('Observed: bytes \ufffd\ufffd &amp; &lt;alert&gt; "quoted"');
  });
});

describe('JUnit XML of a port without TLS', () => {
  it('is a failure, not an error: the endpoint was reached and judged', () => {
    const xml = renderJunit(makeReport([plainHttpResult()]));

    expect(attribute(xml, 'testsuites', 'failures')).toBe('1');
    expect(attribute(xml, 'testsuites', 'errors')).toBe('0');
    expect(xml).toContain(
      'name="endpoint.not-tls" time="0">\n' +
        '      <failure type="error" message="Port does not speak TLS">',
    );
  });
});

describe('JUnit XML of a policy that sets rules to off', () => {
  it('has no test case for a rule the policy does not check', () => {
    // A tester found suites.not-allowed, off in the webhook preset, listed as a passing test.
    const policy = presetPolicy('webhook');
    const results = [legacyResult()].map((result) => evaluate(result.scan, policy, NOW));
    const xml = renderJunit(buildReport({ results, policy, startedAt: NOW, finishedAt: NOW }));
    const checked = RULES.filter((rule) => policy.severities[rule.id] !== 'off');

    expect(checked.length).toBeLessThan(RULES.length);
    expect(xml).not.toContain('name="suites.not-allowed"');
    expect(xml).toContain('name="version.legacy-accepted"');
    expect(xml.match(/<testcase /g)).toHaveLength(checked.length);
  });
});
