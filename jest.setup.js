// The SDK is pinned in package-lock.json and the Lambdas run Node 22; this machine's Node 20 is known.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
