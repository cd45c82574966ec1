/**
 * Parses `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kms/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=<hex>`. Problems come back as AWS's own messages
 * for an IncompleteSignature error.
 */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

export interface ParsedAuthorization {
  scope: CredentialScope;
  signedHeaders: string[];
  signature: string;
}

export type AuthorizationParse = { ok: true; value: ParsedAuthorization } | { ok: false; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';

export function parseAuthorization(header: string): AuthorizationParse {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) {
    return { ok: false, message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${trimmed}` };
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    const list = missing.map((name) => `'${name}'`).join(', ');
    return { ok: false, message: `Authorization header requires ${list} parameter. Authorization=${trimmed}` };
  }
  const credential = fields.get('Credential')!.split('/');
  if (credential.length !== 5 || credential.some((part) => part === '')) {
    return { ok: false, message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${fields.get('Credential')!}'` };
  }
  const [accessKeyId, date, region, service, terminator] = credential as [string, string, string, string, string];
  return {
    ok: true,
    value: {
      scope: { accessKeyId, date, region, service, terminator },
      signedHeaders: fields.get('SignedHeaders')!.split(';').map((name) => name.trim().toLowerCase()),
      signature: fields.get('Signature')!,
    },
  };
}

/** Parses X-Amz-Date (basic ISO 8601, `20240101T120000Z`). */
export function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
