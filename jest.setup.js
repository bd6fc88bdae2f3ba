// The SDK is pinned in package-lock.json and the Lambdas run Node 22; this machine's Node 20 is known.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// In-process handlers log through Powertools to stdout; keep test output readable. The test of what
// the logs contain runs the stack as a child process with logging on.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
