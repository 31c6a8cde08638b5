import type { Callback, CallbackContext } from './callback.js';
import { checkBoolean, checkNonNegative, checkOptions, checkPositiveInteger } from './validate.js';

/** Where the progress bar writes: a TTY stream such as `process.stderr`. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /**
   * Print nothing.
   * @defaultValue false
   */
  readonly quiet?: boolean;
  /**
   * Where to draw; nothing is drawn unless `stream.isTTY`.
   * @defaultValue `process.stderr`
   */
  readonly stream?: ProgressStream;
  /**
   * Least milliseconds between redraws.
   * @defaultValue 100
   */
  readonly throttleMs?: number;
  /**
   * Characters of the bar.
   * @defaultValue 24
   */
  readonly width?: number;
  /** Clock in milliseconds. @defaultValue `performance.now` */
  readonly now?: () => number;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2);
  return value.toFixed(4);
}

/**
 * A one-line terminal progress bar per epoch: batches done, running loss and metric, images per second;
 * then a summary line with the epoch's logs. Redraws at most every `throttleMs`; silent when the stream is
 * not a TTY (CI logs, pipes) or `quiet`.
 */
export class ProgressBar implements Callback {
  readonly name = 'progressBar';
  readonly order = 40;
  readonly #stream: ProgressStream | undefined;
  readonly #throttleMs: number;
  readonly #width: number;
  readonly #now: () => number;
  #started = 0;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #images = 0;
  #lossSum = 0;
  #metricSum = 0;
  #metricName: string | undefined;
  #drawn = false;

  constructor(options: ProgressBarOptions = {}) {
    const fn = 'progressBar';
    checkOptions(fn, options);
    const quiet = checkBoolean(fn, 'quiet', options.quiet ?? false);
    const stream =
      options.stream ?? (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
    this.#stream = !quiet && stream?.isTTY === true ? stream : undefined;
    this.#throttleMs = checkNonNegative(fn, 'throttleMs', options.throttleMs ?? 100);
    this.#width = checkPositiveInteger(fn, 'width', options.width ?? 24);
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether anything will be drawn. */
  get active(): boolean {
    return this.#stream !== undefined;
  }

  onEpochBegin(): void {
    this.#started = this.#now();
    this.#lastDraw = Number.NEGATIVE_INFINITY;
    this.#images = 0;
    this.#lossSum = 0;
    this.#metricSum = 0;
    this.#metricName = undefined;
  }

  onBatchEnd({ epoch, epochs, batch, batchesPerEpoch, logs }: CallbackContext): void {
    const n = logs.batchSize ?? 0;
    this.#images += n;
    this.#lossSum += (logs.loss ?? 0) * n;
    const metricName = logs.accuracy !== undefined ? 'accuracy' : logs.f1 !== undefined ? 'f1' : undefined;
    if (metricName !== undefined) {
      this.#metricName = metricName;
      this.#metricSum += logs[metricName]! * n;
    }
    const stream = this.#stream;
    if (stream === undefined) return;
    const now = this.#now();
    const last = batchesPerEpoch !== undefined && batch >= batchesPerEpoch;
    if (now - this.#lastDraw < this.#throttleMs && !last) return;
    this.#lastDraw = now;
    let bar = '';
    if (batchesPerEpoch !== undefined && batchesPerEpoch > 0) {
      const filled = Math.min(Math.round((batch / batchesPerEpoch) * this.#width), this.#width);
      bar = ` [${'='.repeat(filled)}${' '.repeat(this.#width - filled)}] ${batch}/${batchesPerEpoch}`;
    } else {
      bar = ` ${batch}`;
    }
    const parts = [`epoch ${epoch + 1}/${epochs}${bar}`];
    if (this.#images > 0) {
      parts.push(`loss ${format(this.#lossSum / this.#images)}`);
      if (this.#metricName !== undefined)
        parts.push(`${this.#metricName} ${format(this.#metricSum / this.#images)}`);
    }
    parts.push(`${Math.round(this.#rate(now))} img/s`);
    let line = parts.join('  ');
    if (stream.columns !== undefined && line.length > stream.columns - 1)
      line = line.slice(0, stream.columns - 1);
    stream.write(`\r${line}\u001b[K`);
    this.#drawn = true;
  }

  #rate(now: number): number {
    const seconds = (now - this.#started) / 1000;
    return seconds > 0 ? this.#images / seconds : 0;
  }

  onEpochEnd({ epoch, epochs, logs }: CallbackContext): void {
    const stream = this.#stream;
    if (stream === undefined) return;
    const parts = [`epoch ${epoch + 1}/${epochs}`];
    for (const [key, value] of Object.entries(logs)) {
      if (key === 'epoch' || key === 'seconds' || key === 'imagesPerSecond') continue;
      parts.push(`${key} ${format(value)}`);
    }
    parts.push(`${Math.round(logs.imagesPerSecond ?? this.#rate(this.#now()))} img/s`);
    if (logs.seconds !== undefined) parts.push(`${logs.seconds.toFixed(1)}s`);
    stream.write(`${this.#drawn ? '\r\u001b[K' : ''}${parts.join('  ')}\n`);
    this.#drawn = false;
  }
}

/** Creates a {@link ProgressBar}. */
export function progressBar(options: ProgressBarOptions = {}): ProgressBar {
  return new ProgressBar(options);
}
