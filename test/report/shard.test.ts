import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/model.js';
import { endpointKey, parseEndpoint } from '../../src/probe/endpoint.js';
import { comparableBaseline, selectShard } from '../../src/report/index.js';
import { makeReport, manyResults } from './fixtures.js';

function endpoints(count: number, offset = 0): Endpoint[] {
  return Array.from({ length: count }, (_, i) =>
    parseEndpoint(`https://hooks-${i + offset}.example.com/path/${(i + offset) % 7}`, {
      file: 'endpoints.txt',
      line: i + 1,
    }),
  );
}

/** The shard of each endpoint, by key. */
function assignment(items: Endpoint[], count: number): Map<string, number> {
  const shards = new Map<string, number>();

  for (let index = 0; index < count; index += 1) {
    for (const item of selectShard(items, index, count)) {
      shards.set(endpointKey(item), index);
    }
  }

  return shards;
}

describe('selectShard', () => {
  it('puts each of 1,000 endpoints in exactly one of 8 shards, about evenly', () => {
    const all = endpoints(1000);
    const shards = Array.from({ length: 8 }, (_, index) => selectShard(all, index, 8));
    const keys = shards.flat().map(endpointKey);

    expect(keys).toHaveLength(1000);
    expect(new Set(keys).size).toBe(1000);

    // 125 expected per shard; a hash spreads them with a standard deviation of about 10.
    for (const shard of shards) {
      expect(shard.length).toBeGreaterThan(85);
      expect(shard.length).toBeLessThan(165);
    }
  });

  it('keeps the input order within a shard', () => {
    const all = endpoints(200);
    const shard = selectShard(all, 3, 5);
    const positions = shard.map((item) => all.indexOf(item));

    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('depends on the endpoint, not on its position or how it was written', () => {
    const all = endpoints(300);
    const reversed = [...all].reverse();
    const rewritten = all.map((item) =>
      parseEndpoint(`HTTPS://${item.host.toUpperCase()}:443${item.path}`),
    );

    expect(assignment(reversed, 6)).toEqual(assignment(all, 6));
    expect(assignment(rewritten, 6)).toEqual(assignment(all, 6));
  });

  it('moves no endpoint when one is added, and few when a shard is added', () => {
    const all = endpoints(1000);
    const before = assignment(all, 8);
    const after = assignment([...all, ...endpoints(1, 5000)], 8);

    for (const [key, shard] of before) {
      expect(after.get(key)).toBe(shard);
    }

    const nine = assignment(all, 9);
    const moved = [...before].filter(([key, shard]) => nine.get(key) !== shard).length;
    // Rendezvous hashing moves about 1/9 of them (111); position-based splitting moves most.
    expect(moved).toBeGreaterThan(60);
    expect(moved).toBeLessThan(170);
  });

  it('covers every item once for any list and shard count', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        (items, count) => {
          const shards = Array.from({ length: count }, (_, index) =>
            selectShard(items, index, count),
          );
          expect(shards.flat().sort()).toEqual([...items].sort());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a shard index or count that makes no sense', () => {
    const all = endpoints(3);

    expect(() => selectShard(all, 0, 0)).toThrow('shard count must be a whole number');
    expect(() => selectShard(all, 8, 8)).toThrow('shard index must be from 0 to 7, not 8');
    expect(() => selectShard(all, -1, 8)).toThrow('shard index must be from 0 to 7');
    expect(() => selectShard(all, 1.5, 8)).toThrow('shard index');
  });

  it('uses a key function for other items', () => {
    const items = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }];
    const byId = (item: { id: string }) => item.id;
    const picked = [0, 1, 2].flatMap((index) => selectShard(items, index, 3, byId));

    expect(picked.map(byId).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(selectShard(items, 0, 3, byId)).toEqual(
      selectShard(['a', 'b', 'c', 'd'], 0, 3).map((id) => ({ id })),
    );
  });
});

describe('comparableBaseline', () => {
  const report = makeReport(manyResults(40));

  it('gives a shard run only its own share of a whole baseline', () => {
    const cut = comparableBaseline(report, { index: 2, count: 3 }, 'base.json');
    const own = selectShard(
      report.endpoints.map((result) => result.scan.endpoint),
      1,
      3,
    );

    expect(cut.endpoints.map((result) => result.scan.endpoint)).toEqual(own);
    expect(own.length).toBeLessThan(report.endpoints.length);
    expect(comparableBaseline(report, undefined, 'base.json')).toBe(report);
  });

  it('takes a shard baseline for the same shard only', () => {
    const shard = { ...report, shard: { index: 2, count: 3 } };

    expect(comparableBaseline(shard, { index: 2, count: 3 }, 'base.json')).toBe(shard);
    expect(() => comparableBaseline(shard, undefined, 'base.json')).toThrow(
      'base.json is the report of shard 2/3 only and this run is not',
    );
    expect(() => comparableBaseline(shard, { index: 1, count: 3 }, 'base.json')).toThrow(
      'this run is shard 1/3',
    );
  });
});
