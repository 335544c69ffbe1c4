// Splits the endpoints among the jobs of a matrix (`shard: i/n`). Each endpoint goes to the
// shard whose hash with the endpoint's normalised text is highest (rendezvous hashing), so the
// choice depends on the endpoint alone, never on its position: adding or removing an endpoint
// moves no other, and going from n to n + 1 shards moves only about 1/(n + 1) of them. Every
// endpoint lands in exactly one shard. Shares are balanced only on average, as hashes are.

import { createHash } from 'node:crypto';
import type { Endpoint, Report } from '../model.js';
import { endpointKey } from '../probe/endpoint.js';

/**
 * The items of shard `index` (counting from 0) of `count`. Endpoints are keyed by host, port
 * and path, strings by themselves; pass `keyOf` for anything else.
 */
export function selectShard<T>(
  items: readonly T[],
  index: number,
  count: number,
  keyOf: (item: T) => string = defaultKey,
): T[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`shard count must be a whole number of at least 1, not ${count}`);
  }

  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`shard index must be from 0 to ${count - 1}, not ${index}`);
  }

  return items.filter((item) => shardOf(keyOf(item), count) === index);
}

/** The shard (counting from 0) of `count` that the item with this key belongs to. */
export function shardOf(key: string, count: number): number {
  let best = 0;
  let bestScore = -1;

  for (let shard = 0; shard < count; shard += 1) {
    // 48 bits of SHA-256 fit a double exactly; a tie between two shards is practically
    // impossible and goes to the lower shard.
    const score = createHash('sha256').update(`${shard}\n${key}`).digest().readUIntBE(0, 6);

    if (score > bestScore) {
      best = shard;
      bestScore = score;
    }
  }

  return best;
}

/**
 * The identity of a whole endpoint list before sharding: SHA-256 over its endpoints' keys
 * (host, port, path), sorted so that the order the list was written in does not matter.
 */
export function endpointListDigest(endpoints: readonly Endpoint[]): string {
  const keys = endpoints.map(endpointKey).sort();
  return createHash('sha256').update(JSON.stringify(keys)).digest('hex');
}

function defaultKey(item: unknown): string {
  if (typeof item === 'string') {
    return item;
  }

  if (isEndpoint(item)) {
    return endpointKey(item);
  }

  return JSON.stringify(item);
}

function isEndpoint(item: unknown): item is Endpoint {
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof (item as Endpoint).host === 'string' &&
    typeof (item as Endpoint).port === 'number'
  );
}

/**
 * The part of a baseline report that a run can be compared with. A shard's run compares with
 * its own share of a full or merged baseline, chosen by the shard an endpoint belongs to, not
 * the endpoints probed (an endpoint of this shard removed from the list since is still seen as
 * no longer scanned). A shard's report is a baseline only for a run of the same shard: against
 * anything else every other endpoint would read as new. Throws an Error saying so.
 */
export function comparableBaseline(
  baseline: Report,
  shard: { index: number; count: number } | undefined,
  name: string,
): Report {
  const of = baseline.shard;
  if (of && (!shard || shard.index !== of.index || shard.count !== of.count)) {
    const run = shard ? `this run is shard ${shard.index}/${shard.count}` : 'this run is not';
    throw new Error(
      `${name} is the report of shard ${of.index}/${of.count} only and ${run}: give a report ` +
        'of the same shard, or the merged report of all shards',
    );
  }

  if (!shard || of) {
    return baseline;
  }

  return {
    ...baseline,
    endpoints: selectShard(baseline.endpoints, shard.index - 1, shard.count, (result) =>
      endpointKey(result.scan.endpoint),
    ),
  };
}
