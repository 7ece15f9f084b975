import { parseArgs } from 'node:util';
import { startAwsProxy } from './aws-proxy';

/**
 * The AWS realism and fault proxy on its own:
 *   ts-node src/sandbox/proxy/proxy-main.ts --target http://127.0.0.1:5000 [--port 4567] [--host 127.0.0.1] [--profile demo|realistic|instant|file.json]
 * Prints the endpoint to point AWS_ENDPOINT_URL at; the admin endpoint is under /__proxy/.
 */

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.target) {
    process.stderr.write('usage: proxy-main --target <moto endpoint> [--port N] [--host H] [--profile realistic|demo|instant|file.json]\n');
    process.exit(values.help ? 0 : 2);
  }
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
    process.stderr.write(`proxy-main: --port must be a port number (got ${values.port})\n`);
    process.exit(2);
  }
  const proxy = await startAwsProxy({
    target: values.target,
    ...(port !== undefined ? { port } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
  });
  process.stdout.write(`${proxy.endpoint}\n`);
  process.stderr.write(`AWS proxy for ${values.target} at ${proxy.endpoint} (profile ${proxy.profile().name}; admin at ${proxy.endpoint}/__proxy/)\n`);
  const stop = () => {
    void proxy.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`proxy-main: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
