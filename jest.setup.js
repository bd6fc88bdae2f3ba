// In-process handlers log through Powertools to stdout; keep test output readable. The test of what
// the logs contain runs the stack as a child process with logging on.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
