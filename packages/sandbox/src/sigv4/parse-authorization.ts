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

export function parseAuthorization(header: string, hasDate = true): AuthorizationParse {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const fields = new Map<string, string>();
  for (const part of (space < 0 ? '' : trimmed.slice(space + 1)).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  const problems = missing.map((name) => `Authorization header requires '${name}' parameter.`);
  if (!hasDate)
    problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (problems.length > 0) return { ok: false, message: `${problems.join(' ')} Authorization=${trimmed}` };
  if (algorithm !== ALGORITHM)
    return {
      ok: false,
      message: `Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `,
    };
  const credential = fields.get('Credential')!.split('/');
  if (credential.length !== 5 || credential.some((part) => part === '')) {
    return {
      ok: false,
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${fields.get('Credential')!}'`,
    };
  }
  const [accessKeyId, date, region, service, terminator] = credential as [
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    ok: true,
    value: {
      scope: { accessKeyId, date, region, service, terminator },
      signedHeaders: fields
        .get('SignedHeaders')!
        .split(';')
        .map((name) => name.trim().toLowerCase()),
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
  /* Date.UTC rolls over (month 13, Feb 30, hour 25) and maps years 0-99 to 19xx: refuse those. */
  return Number.isNaN(date.getTime()) || formatAmzDate(date) !== text ? undefined : date;
}

export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
