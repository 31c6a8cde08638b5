import {
  BackendError,
  type BackendName,
  type BackendPurpose,
  type BackendSelection,
  defaultBackendOrder,
  selectBackend,
} from '@topk/core';

/** What {@link probeBackends} found. */
export interface BackendProbe {
  readonly available: readonly BackendName[];
  readonly skipped: readonly { readonly backend: BackendName; readonly reason: string }[];
  /** The selection that activated each available backend, for its report. */
  readonly selections: ReadonlyMap<BackendName, BackendSelection>;
}

/** selectBackend's message without its preamble and install advice: `webgpu is not installed (...)`. */
function shortReason(message: string, backend: BackendName): string {
  const match = new RegExp(
    `^No usable TensorFlow\\.js backend for \\w+: ${backend}: (.*?)\\. Install `,
    's',
  ).exec(message);
  return match?.[1] ?? message;
}

/**
 * Activates each candidate once (for prediction) to learn which backends work here. Named candidates are
 * forced, so a software WebGPU adapter is accepted when asked for; the default candidates (Node's
 * {@link defaultBackendOrder}) go through `selectBackend`'s own rules, which pass over software adapters.
 * `TOPK_BACKEND` is ignored: `--backends` says what to run.
 */
export async function probeBackends(named: readonly BackendName[] | undefined): Promise<BackendProbe> {
  const candidates = named ?? defaultBackendOrder('node');
  const available: BackendName[] = [];
  const skipped: { backend: BackendName; reason: string }[] = [];
  const selections = new Map<BackendName, BackendSelection>();
  for (const backend of candidates) {
    try {
      const selection =
        named === undefined
          ? await selectBackend({ order: [backend], purpose: 'predict', env: {} })
          : await selectBackend({ backend, purpose: 'predict', env: {} });
      available.push(backend);
      selections.set(backend, selection);
    } catch (error) {
      if (!(error instanceof BackendError)) throw error;
      skipped.push({ backend, reason: shortReason(error.message, backend) });
    }
  }
  return { available, skipped, selections };
}

/**
 * Makes `backend` the active one for `purpose` (for `train`, topk's training kernels are registered and
 * checked), or says why it cannot.
 */
export async function activateBackend(
  backend: BackendName,
  purpose: BackendPurpose,
): Promise<
  | { readonly ok: true; readonly selection: BackendSelection }
  | { readonly ok: false; readonly reason: string }
> {
  try {
    return { ok: true, selection: await selectBackend({ backend, purpose, env: {} }) };
  } catch (error) {
    if (error instanceof BackendError) return { ok: false, reason: error.message };
    throw error;
  }
}
