import { isKeywardError, KeywardError, publicAwsOf } from '@keyward/core';
import type { z } from 'zod';

export interface ErrorResponse {
  status: number;
  body: Record<string, unknown>;
  /** Unexpected: logged with its stack on the server, never shown to the caller. */
  unexpected: boolean;
}

/** Fastify's own client errors, by code, in the catalogue's words. */
const FASTIFY_ERRORS: Record<string, () => KeywardError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new KeywardError('KW_BODY_TOO_LARGE'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new KeywardError('KW_INVALID_ARGUMENT', {
      message: 'Send the body as JSON with Content-Type: application/json.',
    }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new KeywardError('KW_INVALID_ARGUMENT', { message: 'The body is empty; send a JSON object.' }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new KeywardError('KW_INVALID_ARGUMENT', { message: 'The Content-Length does not match the body.' }),
  FST_ERR_BAD_URL: () =>
    new KeywardError('KW_INVALID_ARGUMENT', { message: 'The URL is not valid (bad percent-encoding).' }),
  FST_ERR_MAX_PARAM_LENGTH: () =>
    new KeywardError('KW_INVALID_ARGUMENT', { message: 'A path parameter is too long.' }),
};

/** A schema failure, with the path of every bad field, as KW_INVALID_ARGUMENT. */
export function invalidArgument(error: z.ZodError, where: string): KeywardError {
  // An unknown key is reported on its object by zod; name the key itself, one problem per key.
  const problems = error.issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            field: [where, ...issue.path.map(String), key].join('.'),
            problem: 'is not a known field',
          }))
        : [{ field: [where, ...issue.path.map(String)].join('.'), problem: issue.message }],
    )
    .slice(0, 20);
  const first = problems[0];
  return new KeywardError('KW_INVALID_ARGUMENT', {
    message:
      first === undefined
        ? `Invalid ${where}.`
        : `Invalid ${first.field}: ${first.problem}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}.`,
    details: { problems },
  });
}

/**
 * The error as the caller sees it. AWS's own message stays for the customer's refusals (it names
 * their key or role), but not for the errors the catalogue redacts (outages, credentials), where it
 * would describe the platform's network and endpoints to tenants.
 */
function publicBody(error: KeywardError): Record<string, unknown> {
  const body = error.toJSON();
  const aws = publicAwsOf(error);
  if (aws !== undefined) body.aws = aws;
  return body;
}

/**
 * Every error as `{ code, message, details? }` with the catalogue's status. A client's mistake is
 * always a 4xx; anything unexpected is a 500 KW_INTERNAL that shows nothing of its cause.
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (isKeywardError(error))
    return {
      status: error.status,
      body: publicBody(error),
      unexpected: error.status >= 500 && error.code === 'KW_INTERNAL',
    };
  const fastify = error as { code?: string; statusCode?: number };
  // PostgreSQL's data exceptions (class 22: out of range, invalid text) come from values a client sent.
  if (
    typeof fastify.code === 'string' &&
    /^22[0-9A-Z]{3}$/.test(fastify.code) &&
    (error as { severity?: unknown }).severity !== undefined
  ) {
    return errorResponse(
      new KeywardError('KW_INVALID_ARGUMENT', { message: 'A value is out of range or not valid text.' }),
    );
  }
  const known = fastify.code === undefined ? undefined : FASTIFY_ERRORS[fastify.code];
  if (known !== undefined) return errorResponse(known());
  if (error instanceof SyntaxError || (fastify.statusCode === 400 && fastify.code?.startsWith('FST_'))) {
    return errorResponse(new KeywardError('KW_INVALID_ARGUMENT', { message: 'The body is not valid JSON.' }));
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return errorResponse(new KeywardError('KW_INVALID_ARGUMENT', { message: 'The request is malformed.' }));
  }
  return { status: 500, body: new KeywardError('KW_INTERNAL').toJSON(), unexpected: true };
}
