import { cli } from '../cli/cli';
import { EXIT } from '../cli/exit-codes';

/** What cli-bin.ts calls: argv and env from the process, the exit code into process.exitCode. */
export function runFromProcess(): void {
  // `lifeboat ops | head` closes the pipe early; that is not an error worth a stack.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  cli(process.argv.slice(2), process.env, process).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT.INTERNAL;
    },
  );
}
