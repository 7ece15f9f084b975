// Imported first by bench.ts: the logger reads LOG_LEVEL when it is created.
process.env.LOG_LEVEL ??= 'warn';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
