import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * One POST of a webhook body; resolves with the status code. Redirects are not followed (a
 * redirect could lead anywhere the receiver likes), the response body is discarded, and the whole
 * exchange is bounded by `timeoutMs`. `lookup` decides which addresses the connection may use.
 */
export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; lookup?: LookupFunction },
): Promise<number> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: options.timeoutMs,
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', reject);
      },
    );
    outgoing.once('timeout', () =>
      outgoing.destroy(new Error(`Webhook delivery to ${target.host} timed out.`)),
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}
