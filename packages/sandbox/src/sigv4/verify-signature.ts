import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ParsedAuthorization } from './parse-authorization.js';

export interface SignedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-cased header names, as Node gives them. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface SigningSecret {
  secretAccessKey: string;
  sessionToken?: string;
}

const sha256 = Hash.bind(null, 'sha256');

/**
 * Recomputes the request's signature with @smithy/signature-v4 over exactly the headers the
 * client signed, and compares it in constant time. The client's own SignedHeaders are used
 * (botocore signs nearly every header; the JS SDK a smaller set).
 */
export async function signatureMatches(
  request: SignedRequest,
  auth: ParsedAuthorization,
  secret: SigningSecret,
  signingDate: Date,
): Promise<boolean> {
  /* Precondition: a body hash the client declares must be the body's real hash. */
  const declaredHash = request.headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body).digest('hex'))
    return false;

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: auth.scope.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      sessionToken: secret.sessionToken,
    },
    region: auth.scope.region,
    service: auth.scope.service,
    sha256,
    applyChecksum: false,
  });
  const hostHeader = headers.host ?? '';
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      hostname: hostHeader,
      path: request.path,
      query: request.query,
      headers,
      body: request.body,
    }),
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected =
    /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ??
    '';
  const given = Buffer.from(auth.signature, 'utf8');
  const computed = Buffer.from(expected, 'utf8');
  return given.length === computed.length && timingSafeEqual(given, computed);
}
