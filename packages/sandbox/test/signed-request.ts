import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from '@keyward/test-kit/sandbox-clients';

/**
 * Sends a hand-built, SigV4-signed request to the sandbox, for tests of the wire protocols that
 * SDK clients cannot produce (malformed bodies, unknown operations, wrong scopes, stale dates).
 */
export interface RawCall {
  endpoint: string;
  service: string;
  region?: string;
  credentials?: Credentials;
  headers?: Record<string, string>;
  body: string;
  signingDate?: Date;
  /** Sign with these values but send others (to break signatures on purpose). */
  tamper?: (request: { headers: Record<string, string>; body: string }) => void;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

export async function rawCall(call: RawCall): Promise<RawResponse> {
  const url = new URL(call.endpoint);
  const headers: Record<string, string> = { host: url.host, ...call.headers };
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers,
    body: call.body,
  });
  let signedHeaders = headers;
  if (call.credentials) {
    const signer = new SignatureV4({
      credentials: call.credentials,
      region: call.region ?? 'us-east-1',
      service: call.service,
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign(request, { signingDate: call.signingDate });
    signedHeaders = signed.headers as Record<string, string>;
  }
  const sent = { headers: { ...signedHeaders }, body: call.body };
  call.tamper?.(sent);
  delete sent.headers.host;
  const response = await fetch(call.endpoint, { method: 'POST', headers: sent.headers, body: sent.body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export const kmsCall = (
  endpoint: string,
  credentials: Credentials | undefined,
  target: string,
  body: string,
  extra: Partial<RawCall> = {},
) =>
  rawCall({
    endpoint,
    service: 'kms',
    credentials,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
    ...extra,
  });

export const queryCall = (
  endpoint: string,
  service: 'sts' | 'iam',
  credentials: Credentials | undefined,
  params: Record<string, string>,
  extra: Partial<RawCall> = {},
) =>
  rawCall({
    endpoint,
    service,
    credentials,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(params).toString(),
    ...extra,
  });

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the XML entities AWS may use in text nodes (named and numeric). */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_match, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity]!;
  });
}

/** The parts of an awsQuery (STS, IAM) `<ErrorResponse>` body, with entities decoded. */
export function parseQueryError(xml: string): {
  namespace?: string;
  type?: string;
  code?: string;
  message?: string;
  requestId?: string;
} {
  const pick = (tag: string) => {
    const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
    return match ? decodeXmlText(match[1]!) : undefined;
  };
  return {
    namespace: /^<ErrorResponse xmlns="([^"]*)">/.exec(xml)?.[1],
    type: pick('Type'),
    code: pick('Code'),
    message: pick('Message'),
    requestId: pick('RequestId'),
  };
}
