import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// Apart from load-models.ts (which needs the model compiler) so that the CLI can ask its version cheaply.

/** The folder holding package.json, from src/ or from dist/src/ alike. */
export function packageRoot(from: string = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

/** lifeboat's version as package.json says it; undefined when it cannot be read (callers choose what to show). */
export function packageVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The app id lifeboat's AWS calls carry in their user agent (app/lifeboat/0.1.0), for CloudTrail to tell them from a person's. */
export function lifeboatAppId(): string {
  const version = packageVersion();
  return version ? `lifeboat/${version}` : 'lifeboat';
}
