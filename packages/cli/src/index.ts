/** The `keyward` command's program, for embedding and tests. */
export { buildProgram } from './program.js';
/** `keyward serve` without the command line: the server, with the sandbox it starts when that is the AWS. */
export { startKeyward, type RunningKeyward, type EmbeddedSandbox } from './serve/start-keyward.js';
