/**
 * Entry point of a {@link DecodePool} worker thread: runs decode tasks with sharp and posts the pixels
 * back without copying them.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type DecodeTask, ownBuffer, runTask } from './run-task.js';
import { createSharpDecoder, loadSharp, type SharpFailOn } from './sharp-decoder.js';

interface WorkerData {
  readonly failOn: SharpFailOn;
}

const port = parentPort;
if (port !== null) {
  const { failOn } = workerData as WorkerData;
  const decoder = createSharpDecoder({ failOn });
  port.on('message', (message: { readonly id: number; readonly task: DecodeTask }) => {
    void runTask(message.task, decoder).then((outcome) => {
      if (outcome.ok && outcome.data !== undefined) {
        const data = outcome.data instanceof Float32Array ? outcome.data : ownBuffer(outcome.data);
        try {
          port.postMessage({ id: message.id, outcome: { ...outcome, data } }, [data.buffer as ArrayBuffer]);
        } catch {
          // Buffers that native code owns cannot be detached; send a copy instead.
          port.postMessage({ id: message.id, outcome: { ...outcome, data } });
        }
      } else {
        port.postMessage({ id: message.id, outcome });
      }
    });
  });
  // Report readiness only once sharp loads, so a missing sharp fails the pool's creation, not every task.
  loadSharp().then(
    () => port.postMessage({ ready: true }),
    (error: unknown) =>
      port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) }),
  );
}
