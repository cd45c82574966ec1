#!/usr/bin/env node
// The `keyward` command. The sources are TypeScript; tsx's loader runs them directly, so the
// command works from a fresh clone after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

// Node 20 is this project's platform; the AWS SDK's notice about its future Node 22 requirement
// would otherwise open every command's output. Set the variable to 'false' to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../src/main.ts');
