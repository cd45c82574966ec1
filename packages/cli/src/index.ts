/** The `keyward` command's program, for embedding and tests. */
export { buildProgram } from './program.js';
