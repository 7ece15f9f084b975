// Imported first by bench.ts: the logger reads LOG_LEVEL when it is created.
process.env.LOG_LEVEL ??= 'warn';
