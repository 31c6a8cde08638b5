import type * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '@topk/core';

/** The benchmarks `npm run bench` knows, in the order it runs them. */
export const BENCH_NAMES = [
  'matmul',
  'train-cnn',
  'train-mnet',
  'backbones',
  'decode',
  'augment',
  'epoch',
  'tables',
  'cluster',
  'soak',
  'kernels',
] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

/**
 * The benches a plain `npm run bench` runs; `soak` (1 000 training steps) and `kernels` (a per-kernel
 * profile of the train steps) only when named with --only.
 */
export const DEFAULT_BENCHES: readonly BenchName[] = [
  'matmul',
  'train-cnn',
  'train-mnet',
  'backbones',
  'decode',
  'augment',
  'epoch',
  'tables',
  'cluster',
];

/** One measured figure. */
export interface BenchResult {
  readonly bench: BenchName;
  readonly backend: BackendName;
  /** `matmul` (GFLOP/s), `train` or `predict` (img/s). */
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** Timed iterations behind the figure (after warm-up). */
  readonly iterations: number;
  /** Wall-clock seconds of the timed iterations. */
  readonly seconds: number;
}

/** One measurement as a bench returns it; the harness adds the bench and backend names. */
export type Measurement = Omit<BenchResult, 'bench' | 'backend'>;

/** What a bench is given to run on the already-activated backend. */
export interface BenchContext {
  readonly tf: typeof tf;
  readonly backend: BackendName;
  /** Whether to time training steps; false runs the forward-only part (predict) alone. */
  readonly train: boolean;
  /** Upper bound on timed train/predict iterations. */
  readonly steps: number;
  /** Upper bound on seconds per timed loop (at least one iteration always runs). */
  readonly maxSeconds: number;
  /** Progress lines, printed as they come. */
  readonly log: (line: string) => void;
}

/** What a bench returns. */
export interface BenchOutcome {
  readonly measurements: readonly Measurement[];
  /** Trainable parameters of the bench's model, for the check against PyTorch. */
  readonly trainableParams?: number;
  /** Things worth reading beside the numbers (losses, skipped parts). */
  readonly notes: readonly string[];
}

/** A named benchmark, one per file under `src/benches/`. */
export interface Bench {
  readonly name: BenchName;
  /** One line: what is measured. */
  readonly description: string;
  /** True when the bench has a training part that the pure-JS cpu backend is too slow for by default. */
  readonly trains: boolean;
  /** Run on the first (preferred) backend only: the figure hardly depends on the backend. */
  readonly firstBackendOnly?: boolean;
  run(context: BenchContext): Promise<BenchOutcome>;
}

/** One net's figures in `torch_train_step.py`'s JSON. */
export interface TorchNetFigures {
  readonly imgPerSec: number;
  readonly secPerStep: number;
  readonly params: number;
  readonly predictImgPerSec: number;
}

/** The JSON line `../shared/reference/torch_train_step.py` prints. */
export interface TorchReference {
  readonly torch: string;
  readonly threads: number;
  readonly mkldnn: boolean;
  readonly matmul_gflops: number;
  readonly cnn: TorchNetFigures;
  readonly mnet: TorchNetFigures;
  /** `pil_pipeline.py`'s images/s (`decodeResize_w1`, `decodeAugment_w2`, ...), when the decode bench ran. */
  readonly pil?: Readonly<Record<string, number>>;
}

/** topk's figure over PyTorch's for the same bench and metric, on one backend. */
export interface Ratio {
  readonly bench: BenchName;
  readonly backend: BackendName;
  readonly metric: string;
  readonly topk: number;
  readonly torch: number;
  /** topk / torch: above 1 means topk is faster. */
  readonly ratio: number;
  /** topk's goal for this ratio (`../shared/reference/README.md`), where one is set. */
  readonly goal?: number;
}

/** The trainable-parameter check of one net against the PyTorch script. */
export interface ParamCheck {
  readonly bench: BenchName;
  readonly topk: number;
  readonly torch?: number;
  readonly match?: boolean;
}

/** The JSON file `npm run bench` writes. */
export interface BenchReport {
  readonly date: string;
  readonly machine: {
    readonly cpus: number;
    readonly model: string;
    readonly node: string;
    /** 1-minute load average when the run started: other work on the machine distorts the figures. */
    readonly loadAvg1m: number;
    /** The same at the end: a big change means the figures were taken under different loads. */
    readonly loadAvg1mEnd: number;
  };
  readonly backends: {
    readonly benchmarked: readonly BackendName[];
    readonly skipped: readonly { readonly backend: BackendName; readonly reason: string }[];
    /** Threads each backend computed with, where `@topk/core` reports it (the wasm backend's XNNPACK pool). */
    readonly threads: Readonly<Partial<Record<BackendName, number>>>;
  };
  readonly results: readonly BenchResult[];
  readonly params: readonly ParamCheck[];
  /** `torch` is the mean of `runs` (before and after topk's benches). */
  readonly reference?: { readonly torch: TorchReference; readonly runs: readonly TorchReference[] };
  readonly ratios: readonly Ratio[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}
