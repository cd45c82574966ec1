import { ADMIN_PREFIX, handleAdmin, type AdminDeps } from './admin-routes.js';
import type { AwsRequestHandler } from './handle-aws-request.js';
import type { HttpAnswer, HttpHandler } from './server.js';

/**
 * Sends each request to the admin API (/_sandbox/…) or to the AWS pipeline. A request target that
 * is not a URL at all is answered 400 here, before either sees it.
 */
export function dispatcher(aws: AwsRequestHandler, admin: AdminDeps): HttpHandler {
  return async (request): Promise<HttpAnswer> => {
    let url: URL;
    try {
      url = new URL(request.url, 'http://sandbox.invalid');
    } catch {
      return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'Bad request target' };
    }
    if (url.pathname.startsWith(ADMIN_PREFIX)) {
      const answer = await handleAdmin(request.method, url, request.headers, request.body, admin);
      const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
      return { status: answer.status, headers: { 'content-type': 'application/json' }, body };
    }
    const result = await aws.handle(request, url);
    return result.kind === 'reset' ? 'reset' : result.response;
  };
}
