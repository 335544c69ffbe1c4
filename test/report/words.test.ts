// The few words every rendering uses for a not-scanned reason.

import { expect, it } from 'vitest';
import { reasonText } from '../../src/report/words.js';

it('words a not-scanned reason once, with the detail in one pair of parentheses', () => {
  expect(reasonText({ reason: 'refused', detail: 'connection refused (ECONNREFUSED)' })).toBe(
    'connection refused (ECONNREFUSED)',
  );
  expect(reasonText({ reason: 'not-tls', detail: 'this port does not speak TLS: HTTP/1.1' })).toBe(
    'port does not speak TLS (HTTP/1.1)',
  );
  expect(reasonText({ reason: 'dns', detail: 'ENOTFOUND hooks.example.test' })).toBe(
    'name does not resolve (ENOTFOUND hooks.example.test)',
  );
  expect(reasonText({ reason: 'timeout', detail: 'timed out' })).toBe('timed out');
});
