// The overview's certificate and SNI columns in the terminal output and the job summary, for a
// leaf that is not valid yet and for an endpoint whose certificate could not be obtained.

import { describe, expect, it } from 'vitest';
import type { EndpointResult } from '../../src/model.js';
import { renderMarkdown, renderText } from '../../src/report/index.js';
import { compliantResult, makeReport } from './fixtures.js';

function notYetValidResult(): EndpointResult {
  const result = structuredClone(compliantResult('https://early.example.com/hook', 9));

  for (const address of result.scan.addresses) {
    const chain = address.certificates.primary!;
    chain.served[0] = {
      ...chain.served[0],
      notBefore: '2030-06-01T00:00:00.000Z',
      notAfter: '2030-06-30T00:00:00.000Z',
      daysLeft: 1489,
    };
    chain.problems.push({
      code: 'not-yet-valid',
      detail: 'the leaf is not valid before 2030-06-01T00:00:00.000Z',
      certificate: 0,
    });
  }

  return result;
}

// Case 5: the certificate's key type matches no enabled suite, so no chain is obtained.
function noChainResult(): EndpointResult {
  const result = structuredClone(compliantResult('https://keyless.example.com/hook', 10));

  for (const address of result.scan.addresses) {
    address.certificates.primary = null;
    address.certificates.others = [];
    address.certificates.sni = { ...address.certificates.sni, honoured: true, required: false };
  }

  return result;
}

describe('the overview of certificates and SNI', () => {
  const report = makeReport([notYetValidResult(), noChainResult()]);
  const text = renderText(report);
  const markdown = renderMarkdown(report);
  const rowOf = (rendering: string, name: string) =>
    rendering.split('\n').find((line) => line.includes(name) && line.includes('│')) ??
    rendering.split('\n').find((line) => line.startsWith('|') && line.includes(name)) ??
    '';

  it('shows a leaf that is not valid yet as such, not as days left', () => {
    for (const rendering of [text, markdown]) {
      expect(rendering).toContain('not yet valid (from 2030-06-01)');
      expect(rendering).not.toContain('1489 days');
    }
  });

  it('shows SNI as unknown when no certificate was obtained', () => {
    expect(rowOf(text, 'keyless.example.com')).toContain('unknown');
    expect(rowOf(text, 'keyless.example.com')).not.toContain('honoured');
    expect(rowOf(markdown, 'keyless.example.com')).toContain('unknown');
    expect(rowOf(markdown, 'keyless.example.com')).not.toContain('honoured');
    expect(markdown).toContain('SNI: unknown: no certificate was obtained');
    expect(rowOf(text, 'early.example.com')).toContain('honoured');
  });
});
