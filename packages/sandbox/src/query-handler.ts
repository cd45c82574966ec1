import type { OperationContext } from './operation-context.js';
import type { QueryInput } from './protocol/query-input.js';
import type { XmlValue } from './protocol/xml.js';

/** One STS or IAM operation: query parameters in, the `<Action>Result` content (or nothing) out. */
export type QueryHandler = (context: OperationContext, input: QueryInput) => Promise<XmlValue | undefined>;
