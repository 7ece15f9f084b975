/**
 * Imported first by demo.ts, before anything that imports the logger: pino reads LOG_LEVEL
 * once, at import, and the demo's own output should not drown in JSON lines. Set LOG_LEVEL
 * to see them (LOG_LEVEL=info npm run demo).
 */
process.env.LOG_LEVEL ??= 'warn';

// The SDK warns on every run that its releases after January 2027 need Node 22; lifeboat
// supports Node 20.19+ for now, and the warning would open the demo's output. Set it to false to see the warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
