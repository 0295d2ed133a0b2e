/**
 * A sweep worker (parallel.ts): waits on its control words, re-margins the range it is given in
 * the shared records with the main thread's own functions, writes each account's float status, and
 * signals. Tables arrive by message before each range, read synchronously (receiveMessageOnPort),
 * since this thread never returns to its event loop.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { aggregateAccount } from './aggregate.js';
import type { RiskBook } from './book.js';
import { A_FLAGS, A_STRIDE, ACCOUNT_REAGGREGATE } from './layout.js';
import { CONTROL_DONE, CONTROL_FAILED, CONTROL_FROM, CONTROL_GENERATION, CONTROL_STOP, CONTROL_TO, type SweepMessage } from './parallel.js';
import { floatStatus } from './valuation.js';

const { control, port } = workerData as { control: Int32Array; port: MessagePort };
let message: SweepMessage | undefined;
let seen = Atomics.load(control, CONTROL_GENERATION);
parentPort?.postMessage('ready');
for (;;) {
  Atomics.wait(control, CONTROL_GENERATION, seen);
  seen = Atomics.load(control, CONTROL_GENERATION);
  if (Atomics.load(control, CONTROL_STOP) === 1) break;
  try {
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) message = m.message as SweepMessage;
    if (message === undefined) throw new Error('Invariant: a sweep worker has its records before its first range');
    // The functions read these fields of the book, and only these.
    const b = message as unknown as RiskBook;
    const acc = message.acc;
    const status = message.status;
    const end = control[CONTROL_TO]!;
    for (let a = control[CONTROL_FROM]!; a < end; a++) {
      aggregateAccount(b, a, true);
      acc[a * A_STRIDE + A_FLAGS] = acc[a * A_STRIDE + A_FLAGS]! & ~ACCOUNT_REAGGREGATE;
      status[a] = floatStatus(b, a);
    }
  } catch {
    control[CONTROL_FAILED] = 1;
  }
  Atomics.store(control, CONTROL_DONE, seen);
  Atomics.notify(control, CONTROL_DONE);
}
