import { InvalidArgumentError } from '@topk/core';

/** One step of a {@link SizeSchedule}: from `epoch` on, images are `size`. */
export interface SizeStep {
  readonly epoch: number;
  /** A square side, or `[height, width]`. */
  readonly size: number | readonly [number, number];
}

/**
 * Progressive resizing (fastai; Intel scene write-up): train on small images first, then larger ones,
 * e.g. `[{ epoch: 0, size: 64 }, { epoch: 5, size: 128 }, { epoch: 10, size: 224 }]`. Plain JSON, saved
 * with a training config. Steps start at epoch 0 and are in increasing epoch order.
 */
export type SizeSchedule = readonly SizeStep[];

function isSide(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1;
}

/** Throws unless `schedule` is a valid {@link SizeSchedule}. */
export function checkSizeSchedule(fn: string, schedule: SizeSchedule, argument = 'schedule'): void {
  if (!Array.isArray(schedule) || schedule.length === 0) {
    throw new InvalidArgumentError(fn, argument, 'a non-empty array of { epoch, size }', schedule);
  }
  schedule.forEach((step: unknown, i) => {
    const { epoch, size } = (step ?? {}) as Partial<SizeStep>;
    const previous = i > 0 ? schedule[i - 1]!.epoch : -1;
    if (!Number.isSafeInteger(epoch) || (i === 0 ? epoch !== 0 : epoch! <= previous)) {
      throw new InvalidArgumentError(
        fn,
        `${argument}[${i}].epoch`,
        i === 0 ? '0 (the schedule starts at epoch 0)' : `an integer greater than ${previous}`,
        epoch,
      );
    }
    if (!isSide(size) && !(Array.isArray(size) && size.length === 2 && size.every(isSide))) {
      throw new InvalidArgumentError(
        fn,
        `${argument}[${i}].size`,
        'a positive integer or [height, width]',
        size,
      );
    }
  });
}

/**
 * The image size of `epoch` under `schedule`, as `[height, width]`: the last step whose epoch is at most
 * `epoch`.
 *
 * @param schedule - the steps.
 * @param epoch - a non-negative integer.
 */
export function sizeForEpoch(schedule: SizeSchedule, epoch: number): [number, number] {
  const fn = 'sizeForEpoch';
  checkSizeSchedule(fn, schedule);
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new InvalidArgumentError(fn, 'epoch', 'a non-negative integer', epoch);
  let size = schedule[0]!.size;
  for (const step of schedule) if (step.epoch <= epoch) size = step.size;
  return typeof size === 'number' ? [size, size] : [size[0], size[1]];
}
