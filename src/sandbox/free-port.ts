import { createServer } from 'node:net';

/** A port the OS says is free right now on `host` (bound to port 0, then released). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('Could not pick a free port.'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
