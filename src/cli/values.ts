// Parsers of the settings the CLI and the Action share (numbers, shard, fail-on, choices).
// Each one names the setting it read and the values it accepts when a value is wrong, so
// `--timeout` and the `timeout` input give the same clear error under their own names.

import type { Severity } from '../model.js';

/** A setting with a value it cannot accept; the message names the setting and what it takes. */
export class UsageError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FailOn = Severity | 'never';
export const FAIL_ON_VALUES: readonly FailOn[] = ['error', 'warning', 'notice', 'never'];

export interface Shard {
  /** 1-based, as written: shard 1/4 is the first of four. */
  index: number;
  count: number;
}

/** A whole number within [min, max], written in decimal digits. */
export function parseWholeNumber(setting: string, text: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = Number(trimmed);

  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      setting,
      `${setting} must be a whole number from ${min} to ${max}; got "${text}"`,
    );
  }

  return value;
}

/** One of a fixed list of words, compared without regard to case. */
export function parseChoice<T extends string>(
  setting: string,
  text: string,
  choices: readonly T[],
): T {
  const word = text.trim().toLowerCase();
  const match = choices.find((choice) => choice === word);

  if (match === undefined) {
    throw new UsageError(setting, `${setting} must be one of ${choices.join(', ')}; got "${text}"`);
  }

  return match;
}

export function parseFailOn(setting: string, text: string): FailOn {
  return parseChoice(setting, text, FAIL_ON_VALUES);
}

/** A shard written i/n, with 1 <= i <= n <= 256. */
export function parseShard(setting: string, text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;

  if (!match || count < 1 || count > 256 || index < 1 || index > count) {
    throw new UsageError(
      setting,
      `${setting} must be written i/n with 1 <= i <= n <= 256, for example 2/4; got "${text}"`,
    );
  }

  return { index, count };
}
