import type { QueryHandler } from '../../query-handler.js';

/** Needs no permission: any valid credentials may ask who they are. */
export const getCallerIdentity: QueryHandler = async (context, input) => {
  input.done();
  return { UserId: context.caller.userId, Account: context.caller.account, Arn: context.caller.arn };
};
