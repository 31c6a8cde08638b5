import { InvalidArgumentError, Rng, type RngSeed } from '@topk/core';
import type { JsonValue } from './run-layout.js';
import type { ShardedRunReport } from './run-sharded-job.js';
import type { JobHandler, ShardJob, ShardOutcome } from './start-worker.js';

/**
 * The seed of ensemble member `member` of a run seeded with `seed`: members differ (their own
 * initialisation, order and augmentation), and each is the same on whichever worker trains it or
 * however often it is retried.
 *
 * @param seed - the run's seed.
 * @param member - the member's index (its shard).
 * @returns an integer in [0, 2^31).
 */
export function memberSeed(seed: RngSeed, member: number): number {
  if (!Number.isSafeInteger(member) || member < 0) {
    throw new InvalidArgumentError('memberSeed', 'member', 'an integer >= 0', member);
  }
  return new Rng(seed).split(`member-${member}`).seedForTf();
}

/** A `train-member` job: one shard is one ensemble member. */
export interface TrainMemberJob<P> extends ShardJob<P> {
  /** The member's index (= the shard's) and the number of members. */
  readonly member: number;
  readonly members: number;
  /** {@link memberSeed} of the payload's `seed` (0 without one) and the member. */
  readonly seed: number;
}

/** Trains one member on its shard's items and saves it with `job.writeFile` / `job.commit`. */
export type TrainMember<P> = (job: TrainMemberJob<P>) => Promise<ShardOutcome | undefined>;

/**
 * The worker side of shard ensembles (`topk cluster train-ensemble`, the Cdiscount write-up's plan of
 * ~50 models each trained on a subset and combined): the training itself is injected, e.g. a learner of
 * `@topk/training` that reads `job.items` and `job.payload` (train flags) and writes the member's
 * checkpoint into `job.dir` through `job.commit`. Gather the members with {@link collectMembers}.
 */
export function createTrainMemberHandler<P = JsonValue>(train: TrainMember<P>): JobHandler<P> {
  if (typeof train !== 'function') {
    throw new InvalidArgumentError(
      'createTrainMemberHandler',
      'train',
      'a function (job) => Promise<outcome>',
      train,
    );
  }
  return (job) => {
    const payloadSeed = (job.payload as { seed?: unknown } | null)?.seed;
    const runSeed: RngSeed =
      typeof payloadSeed === 'number' || typeof payloadSeed === 'string' ? payloadSeed : 0;
    return train({ ...job, member: job.shard, members: job.shards, seed: memberSeed(runSeed, job.shard) });
  };
}

/** One trained member of a shard ensemble. */
export interface EnsembleMember {
  readonly member: number;
  /** The member's folder and what its handler wrote there. */
  readonly dir: string;
  readonly files: readonly string[];
  /** Its handler's summary (e.g. validation metrics). */
  readonly info: JsonValue;
  /** Items it was trained on. */
  readonly items: number;
}

/**
 * The members a `train-member` run produced, in member order (failed members are in the report's
 * `failures`), ready to be loaded and combined with `@topk/ensembling`.
 *
 * @param report - what {@link runShardedJob} returned.
 */
export function collectMembers(report: ShardedRunReport): EnsembleMember[] {
  if (typeof report !== 'object' || report === null || !Array.isArray(report.shards)) {
    throw new InvalidArgumentError('collectMembers', 'report', 'a report from runShardedJob', report);
  }
  return report.shards
    .filter((shard) => shard.state === 'completed')
    .map((shard) => ({
      member: shard.shard,
      dir: shard.dir,
      files: shard.files,
      info: shard.info,
      items: shard.items,
    }));
}
