import { describe, expect, it } from 'vitest';
import { formatAmzDate, parseAmzDate, parseAuthorization } from './parse-authorization.js';

const SIGNATURE = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
const GOOD = `AWS4-HMAC-SHA256 Credential=AKIA111122223333ADMN/20240101/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${SIGNATURE}`;

describe('parseAuthorization', () => {
  it('parses a well-formed header', () => {
    expect(parseAuthorization(GOOD)).toEqual({
      ok: true,
      value: {
        scope: {
          accessKeyId: 'AKIA111122223333ADMN',
          date: '20240101',
          region: 'us-east-1',
          service: 'kms',
          terminator: 'aws4_request',
        },
        signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
        signature: SIGNATURE,
      },
    });
  });

  it.each([
    ['no spaces after commas', GOOD.replaceAll(', ', ',')],
    ['surrounding whitespace', `  ${GOOD}  `],
    [
      'fields in another order',
      `AWS4-HMAC-SHA256 Signature=${SIGNATURE}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Credential=AKIA111122223333ADMN/20240101/us-east-1/kms/aws4_request`,
    ],
  ])('tolerates %s', (_label, header) => {
    const parsed = parseAuthorization(header);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.scope.accessKeyId).toBe('AKIA111122223333ADMN');
    expect(parsed.value.signedHeaders).toEqual(['content-type', 'host', 'x-amz-date', 'x-amz-target']);
    expect(parsed.value.signature).toBe(SIGNATURE);
  });

  it('lower-cases and trims the signed header names', () => {
    const parsed = parseAuthorization(
      `AWS4-HMAC-SHA256 Credential=AKIAX/20240101/eu-west-1/sts/aws4_request, SignedHeaders=Host; X-Amz-Date, Signature=abc`,
    );
    expect(parsed.ok && parsed.value.signedHeaders).toEqual(['host', 'x-amz-date']);
    expect(parsed.ok && parsed.value.scope.service).toBe('sts');
    expect(parsed.ok && parsed.value.scope.region).toBe('eu-west-1');
  });

  it.each([
    ['Credential', `AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=${SIGNATURE}`, ['Credential']],
    [
      'Signature',
      'AWS4-HMAC-SHA256 Credential=AKIAX/20240101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date',
      ['Signature'],
    ],
    [
      'SignedHeaders',
      `AWS4-HMAC-SHA256 Credential=AKIAX/20240101/us-east-1/kms/aws4_request, Signature=${SIGNATURE}`,
      ['SignedHeaders'],
    ],
    [
      'an empty Signature',
      'AWS4-HMAC-SHA256 Credential=AKIAX/20240101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=',
      ['Signature'],
    ],
    ['everything', 'AWS4-HMAC-SHA256 ', ['Credential', 'Signature', 'SignedHeaders']],
    [
      'Credential and SignedHeaders',
      `AWS4-HMAC-SHA256 Signature=${SIGNATURE}`,
      ['Credential', 'SignedHeaders'],
    ],
  ])('reports a missing %s, one sentence per missing part, then the header', (_label, header, missing) => {
    const requirements = missing
      .map((name) => `Authorization header requires '${name}' parameter.`)
      .join(' ');
    expect(parseAuthorization(header)).toEqual({
      ok: false,
      message: `${requirements} Authorization=${header.trim()}`,
    });
  });

  it('quotes the exact AWS text when all three parts are missing', () => {
    expect(parseAuthorization('AWS4-HMAC-SHA256 x')).toEqual({
      ok: false,
      message:
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 x",
    });
  });

  it.each([
    ['four elements', 'AKIAX/20240101/us-east-1/kms'],
    ['six elements', 'AKIAX/20240101/us-east-1/kms/aws4_request/extra'],
    ['an empty element', 'AKIAX//us-east-1/kms/aws4_request'],
    ['no slashes', 'AKIAX'],
    ['a trailing slash', 'AKIAX/20240101/us-east-1/kms/'],
  ])('refuses a credential with %s', (_label, credential) => {
    expect(
      parseAuthorization(
        `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=${SIGNATURE}`,
      ),
    ).toEqual({
      ok: false,
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    });
  });

  it('keeps the scope pieces as sent (the caller checks them)', () => {
    const parsed = parseAuthorization(
      `AWS4-HMAC-SHA256 Credential=AKIAX/19990101/mars-1/s3/aws5_request, SignedHeaders=host, Signature=${SIGNATURE}`,
    );
    expect(parsed.ok && parsed.value.scope).toEqual({
      accessKeyId: 'AKIAX',
      date: '19990101',
      region: 'mars-1',
      service: 's3',
      terminator: 'aws5_request',
    });
  });

  it('refuses another algorithm once the parameters are all there', () => {
    const header = `AWS4-HMAC-SHA1 Credential=AKIAX/20240101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=${SIGNATURE}`;
    expect(parseAuthorization(header)).toEqual({
      ok: false,
      message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). ",
    });
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer token'])(
    'reports the missing parameters of another scheme: %j',
    (header) => {
      expect(parseAuthorization(header)).toEqual({
        ok: false,
        message: `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${header}`,
      });
    },
  );

  it('adds the date requirement when the request has no date header', () => {
    expect(parseAuthorization(GOOD, false)).toEqual({
      ok: false,
      message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${GOOD}`,
    });
    const partial = 'AWS4-HMAC-SHA256 Credential=AKIAX/20240101/us-east-1/kms/aws4_request';
    expect(parseAuthorization(partial, false)).toEqual({
      ok: false,
      message: `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${partial}`,
    });
  });
});

describe('parseAmzDate / formatAmzDate', () => {
  it.each([
    ['20240101T120000Z', Date.UTC(2024, 0, 1, 12, 0, 0)],
    ['19700101T000000Z', 0],
    ['20241231T235959Z', Date.UTC(2024, 11, 31, 23, 59, 59)],
    ['20240229T000000Z', Date.UTC(2024, 1, 29)],
  ])('parses %s', (text, epochMs) => {
    expect(parseAmzDate(text)?.getTime()).toBe(epochMs);
  });

  it.each([
    '2024-01-01T12:00:00Z',
    '20240101T120000',
    '20240101 120000Z',
    '20240101t120000z',
    '2024010T120000Z',
    'Mon, 01 Jan 2024 12:00:00 GMT',
    '',
    // well-shaped but not a real instant: no silent roll-over
    '20241301T000000Z',
    '20240230T000000Z',
    '20230229T000000Z',
    '20240101T250000Z',
    '20240101T126000Z',
    '00990101T000000Z',
  ])('refuses %j', (text) => {
    expect(parseAmzDate(text)).toBeUndefined();
  });

  it.each([
    [new Date(Date.UTC(2024, 0, 1, 12, 0, 0)), '20240101T120000Z'],
    [new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 999)), '20240101T120000Z'],
    [new Date(0), '19700101T000000Z'],
    [new Date(Date.UTC(2031, 8, 9, 7, 6, 5)), '20310909T070605Z'],
  ])('formats %s as %s', (date, text) => {
    expect(formatAmzDate(date)).toBe(text);
  });

  it('round-trips', () => {
    for (const text of ['20240101T120000Z', '20000229T235959Z', '20991231T000001Z']) {
      expect(formatAmzDate(parseAmzDate(text)!)).toBe(text);
    }
  });
});
