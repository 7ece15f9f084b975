import type { ChildProcess } from 'node:child_process';

/**
 * Send a child a signal and resolve once it has exited. A child that already ended, by an
 * exit code or by a signal, has fired its exit event: resolve at once instead of waiting for it.
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
