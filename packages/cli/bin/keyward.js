#!/usr/bin/env node
// The `keyward` command. The sources are TypeScript; tsx's loader runs them directly, so the
// command works from a fresh clone after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
