/**
 * Imported first by demo.ts, before anything that imports the logger: pino reads LOG_LEVEL
 * once, at import, and the demo's own output should not drown in JSON lines. Set LOG_LEVEL
 * to see them (LOG_LEVEL=info npm run demo).
 */
process.env.LOG_LEVEL ??= 'warn';

