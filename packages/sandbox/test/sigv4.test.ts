import { createHash } from 'node:crypto';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  clients,
  expectAwsError,
  PLATFORM_ACCOUNT_ID,
  platformAdmin,
  REGION,
  sandbox,
  type Credentials,
} from '@keyward/test-kit/sandbox-clients';
import { kmsCall, parseQueryError, queryCall, type RawCall, type RawResponse } from './signed-request.js';

/** SigV4 verification: each way a signature can be wrong, answered as KMS (awsJson) and STS/IAM (awsQuery) do. */

const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const UNKNOWN_KEY = 'The security token included in the request is invalid.';
const INVALID_TOKEN = 'The security token included in the request is invalid';
const EXPIRED_TOKEN = 'The security token included in the request is expired';
const SERVICE_ROLE = `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:role/keyward-service`;

const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const parseAmzDate = (text: string) =>
  Date.UTC(
    +text.slice(0, 4),
    +text.slice(4, 6) - 1,
    +text.slice(6, 8),
    +text.slice(9, 11),
    +text.slice(11, 13),
    +text.slice(13, 15),
  );

/** The JSON error body of a KMS response, checked to be exactly `{__type, message}`. */
function kmsError(response: RawResponse): { type: string; message: string } {
  const body = JSON.parse(response.text) as Record<string, string>;
  expect(Object.keys(body).sort()).toEqual(['__type', 'message']);
  return { type: body.__type!, message: body.message! };
}

function expectKms(response: RawResponse, type: string, message: string | RegExp): void {
  expect(response.status).toBe(400);
  const error = kmsError(response);
  expect(error.type).toBe(type);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
}

function expectQuery(response: RawResponse, status: number, code: string, message: string | RegExp): void {
  expect(response.status).toBe(status);
  const error = parseQueryError(response.text);
  expect(error.type).toBe('Sender');
  expect(error.code).toBe(code);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
}

const STS_BODY = { Action: 'GetCallerIdentity', Version: '2011-06-15' };
const IAM_BODY = { Action: 'GetRole', Version: '2010-05-08', RoleName: 'keyward-service' };

describe('SigV4 verification', () => {
  let box: RunningSandbox;
  let admin: Credentials;
  /* `null` sends the request unsigned. */
  const kms = (extra: Partial<RawCall> = {}, credentials: Credentials | null = admin) =>
    kmsCall(box.endpoint, credentials ?? undefined, 'TrentService.ListKeys', '{}', extra);
  const sts = (extra: Partial<RawCall> = {}, credentials: Credentials | null = admin) =>
    queryCall(box.endpoint, 'sts', credentials ?? undefined, STS_BODY, extra);
  const iam = (extra: Partial<RawCall> = {}, credentials: Credentials | null = admin) =>
    queryCall(box.endpoint, 'iam', credentials ?? undefined, IAM_BODY, extra);
  const assumeService = async (sessionName: string): Promise<Credentials> => {
    const creds = (
      await clients(box, admin).sts.send(
        new AssumeRoleCommand({ RoleArn: SERVICE_ROLE, RoleSessionName: sessionName }),
      )
    ).Credentials!;
    return {
      accessKeyId: creds.AccessKeyId!,
      secretAccessKey: creds.SecretAccessKey!,
      sessionToken: creds.SessionToken!,
    };
  };

  beforeAll(async () => {
    box = await sandbox();
    admin = platformAdmin(box);
  });
  afterAll(() => box.close());

  it('a correctly signed request succeeds on each service, and headers added after signing are ignored', async () => {
    expect((await kms()).status).toBe(200);
    expect((await sts()).status).toBe(200);
    expect((await iam()).status).toBe(200);
    const extra = await kms({ tamper: (request) => void (request.headers['x-unsigned-extra'] = 'anything') });
    expect(extra.status).toBe(200);
  });

  describe('an unknown access key', () => {
    const stranger: Credentials = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };

    it('KMS: UnrecognizedClientException 400, with the period', async () => {
      const { kms: client } = clients(box, stranger);
      await expectAwsError(client.send(new ListKeysCommand({})), {
        name: 'UnrecognizedClientException',
        status: 400,
        message: UNKNOWN_KEY,
      });
    });

    it('STS and IAM: InvalidClientTokenId 403, with the period', async () => {
      const { sts: stsClient, iam: iamClient } = clients(box, stranger);
      await expectAwsError(stsClient.send(new GetCallerIdentityCommand({})), {
        name: 'InvalidClientTokenId',
        status: 403,
        message: UNKNOWN_KEY,
      });
      await expectAwsError(iamClient.send(new GetRoleCommand({ RoleName: 'keyward-service' })), {
        name: 'InvalidClientTokenId',
        status: 403,
        message: UNKNOWN_KEY,
      });
    });
  });

  describe('a wrong secret key', () => {
    it('KMS: InvalidSignatureException 400', async () => {
      const { kms: client } = clients(box, { ...admin, secretAccessKey: 'not-the-secret' });
      await expectAwsError(client.send(new ListKeysCommand({})), {
        name: 'InvalidSignatureException',
        status: 400,
        message: BAD_SIGNATURE,
      });
    });

    it('STS and IAM: SignatureDoesNotMatch 403', async () => {
      const { sts: stsClient, iam: iamClient } = clients(box, {
        ...admin,
        secretAccessKey: 'not-the-secret',
      });
      await expectAwsError(stsClient.send(new GetCallerIdentityCommand({})), {
        name: 'SignatureDoesNotMatch',
        status: 403,
        message: BAD_SIGNATURE,
      });
      await expectAwsError(iamClient.send(new GetRoleCommand({ RoleName: 'keyward-service' })), {
        name: 'SignatureDoesNotMatch',
        status: 403,
        message: BAD_SIGNATURE,
      });
    });

    it('a session key signed with another secret', async () => {
      const session = await assumeService('wrong-secret');
      const { kms: client } = clients(box, { ...session, secretAccessKey: admin.secretAccessKey });
      await expectAwsError(client.send(new ListKeysCommand({})), {
        name: 'InvalidSignatureException',
        status: 400,
        message: BAD_SIGNATURE,
      });
    });
  });

  describe('a request changed after signing', () => {
    it('KMS: a different body (with its declared hash left as signed) is InvalidSignatureException', async () => {
      const response = await kms({ tamper: (request) => void (request.body = '{"Limit":1}') });
      expectKms(response, 'InvalidSignatureException', BAD_SIGNATURE);
    });

    it('KMS: a different body with a matching x-amz-content-sha256 still fails the signature', async () => {
      const response = await kms({
        tamper: (request) => {
          request.body = '{"Limit":1}';
          request.headers['x-amz-content-sha256'] = createHash('sha256').update(request.body).digest('hex');
        },
      });
      expectKms(response, 'InvalidSignatureException', BAD_SIGNATURE);
    });

    it('KMS: a different signed header (X-Amz-Target) is InvalidSignatureException', async () => {
      const response = await kms({
        tamper: (request) => void (request.headers['x-amz-target'] = 'TrentService.ListAliases'),
      });
      expectKms(response, 'InvalidSignatureException', BAD_SIGNATURE);
    });

    it('STS and IAM: a different body is SignatureDoesNotMatch 403', async () => {
      expectQuery(
        await sts({
          tamper: (request) => void (request.body = 'Version=2011-06-15&Action=GetCallerIdentity'),
        }),
        403,
        'SignatureDoesNotMatch',
        BAD_SIGNATURE,
      );
      expectQuery(
        await iam({
          tamper: (request) =>
            void (request.body = request.body.replace('keyward-service', 'keyward-servicf')),
        }),
        403,
        'SignatureDoesNotMatch',
        BAD_SIGNATURE,
      );
    });
  });

  describe('temporary credentials and X-Amz-Security-Token', () => {
    it('a session key without its token is an unknown key (period)', async () => {
      const { accessKeyId, secretAccessKey } = await assumeService('no-token');
      const { kms: kmsClient, sts: stsClient } = clients(box, { accessKeyId, secretAccessKey });
      await expectAwsError(kmsClient.send(new ListKeysCommand({})), {
        name: 'UnrecognizedClientException',
        status: 400,
        message: UNKNOWN_KEY,
      });
      await expectAwsError(stsClient.send(new GetCallerIdentityCommand({})), {
        name: 'InvalidClientTokenId',
        status: 403,
        message: UNKNOWN_KEY,
      });
    });

    it('a session key with a wrong token is "invalid" (no period)', async () => {
      const session = await assumeService('wrong-token');
      const other = await assumeService('other-session');
      for (const sessionToken of ['not-a-token', other.sessionToken!]) {
        const { kms: kmsClient, sts: stsClient, iam: iamClient } = clients(box, { ...session, sessionToken });
        await expectAwsError(kmsClient.send(new ListKeysCommand({})), {
          name: 'UnrecognizedClientException',
          status: 400,
          message: INVALID_TOKEN,
        });
        await expectAwsError(stsClient.send(new GetCallerIdentityCommand({})), {
          name: 'InvalidClientTokenId',
          status: 403,
          message: INVALID_TOKEN,
        });
        await expectAwsError(iamClient.send(new GetRoleCommand({ RoleName: 'keyward-service' })), {
          name: 'InvalidClientTokenId',
          status: 403,
          message: INVALID_TOKEN,
        });
      }
      // The right token works.
      const identity = await clients(box, session).sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe(
        `arn:aws:sts::${PLATFORM_ACCOUNT_ID}:assumed-role/keyward-service/wrong-token`,
      );
    });

    it('a long-term key sent with a session token (a stale AWS_SESSION_TOKEN) is refused as AWS refuses it', async () => {
      const { sts: stsClient, kms: kmsClient } = clients(box, { ...admin, sessionToken: 'stale-token' });
      await expectAwsError(stsClient.send(new GetCallerIdentityCommand({})), {
        name: 'InvalidClientTokenId',
        status: 403,
        message: INVALID_TOKEN,
      });
      await expectAwsError(kmsClient.send(new ListKeysCommand({})), {
        name: 'UnrecognizedClientException',
        status: 400,
        message: INVALID_TOKEN,
      });
    });
  });

  describe('X-Amz-Date outside the skew window', () => {
    const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);

    /** Checks AWS's "(<now> - N min.)" arithmetic and that the echoed X-Amz-Date is the one sent. */
    function checkSkewMessage(
      message: string,
      sent: Date,
      direction: 'expired' | 'future',
      minutes: number,
      before: number,
      after: number,
    ): void {
      const pattern =
        direction === 'expired'
          ? /^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - (\d+) min\.\)$/
          : /^Signature not yet current: (\d{8}T\d{6}Z) is still later than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) \+ (\d+) min\.\)$/;
      const match = pattern.exec(message);
      expect(match, message).not.toBeNull();
      const [, echoed, bound, now, window] = match!;
      expect(echoed).toBe(amzDate(sent));
      expect(Number(window)).toBe(minutes);
      const sign = direction === 'expired' ? -1 : 1;
      expect(parseAmzDate(bound!) - parseAmzDate(now!)).toBe(sign * minutes * 60_000);
      expect(parseAmzDate(now!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(parseAmzDate(now!)).toBeLessThanOrEqual(after);
    }

    it('KMS allows 5 minutes: 20 minutes old is "Signature expired … - 5 min."', async () => {
      const sent = minutesFromNow(-20);
      const before = Date.now();
      const response = await kms({ signingDate: sent });
      const after = Date.now();
      expectKms(response, 'InvalidSignatureException', /^Signature expired: /);
      checkSkewMessage(kmsError(response).message, sent, 'expired', 5, before, after);
    });

    it('KMS: 10 minutes old already fails, where STS and IAM still accept it', async () => {
      expectKms(
        await kms({ signingDate: minutesFromNow(-10) }),
        'InvalidSignatureException',
        /^Signature expired: .* - 5 min\.\)$/,
      );
      expect((await sts({ signingDate: minutesFromNow(-10) })).status).toBe(200);
      expect((await iam({ signingDate: minutesFromNow(-10) })).status).toBe(200);
      expect((await kms({ signingDate: minutesFromNow(-2) })).status).toBe(200);
    });

    it('STS and IAM allow 15 minutes: 20 minutes old is SignatureDoesNotMatch 403 "- 15 min."', async () => {
      for (const call of [sts, iam]) {
        const sent = minutesFromNow(-20);
        const before = Date.now();
        const response = await call({ signingDate: sent });
        const after = Date.now();
        expectQuery(response, 403, 'SignatureDoesNotMatch', /^Signature expired: /);
        checkSkewMessage(parseQueryError(response.text).message!, sent, 'expired', 15, before, after);
      }
    });

    it('in the future: "Signature not yet current" (KMS + 5 min., STS + 15 min.)', async () => {
      let sent = minutesFromNow(10);
      let before = Date.now();
      const kmsResponse = await kms({ signingDate: sent });
      let after = Date.now();
      expectKms(kmsResponse, 'InvalidSignatureException', /^Signature not yet current: /);
      checkSkewMessage(kmsError(kmsResponse).message, sent, 'future', 5, before, after);

      sent = minutesFromNow(20);
      before = Date.now();
      const stsResponse = await sts({ signingDate: sent });
      after = Date.now();
      expectQuery(stsResponse, 403, 'SignatureDoesNotMatch', /^Signature not yet current: /);
      checkSkewMessage(parseQueryError(stsResponse.text).message!, sent, 'future', 15, before, after);
      expect((await sts({ signingDate: minutesFromNow(10) })).status).toBe(200);
    });

    it('through the SDK, a client clock 20 minutes slow', async () => {
      const config = {
        endpoint: box.endpoint,
        region: REGION,
        credentials: admin,
        maxAttempts: 1,
        systemClockOffset: -20 * 60_000,
      };
      await expectAwsError(new KMSClient(config).send(new ListKeysCommand({})), {
        name: 'InvalidSignatureException',
        status: 400,
        message:
          /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
      });
      await expectAwsError(new STSClient(config).send(new GetCallerIdentityCommand({})), {
        name: 'SignatureDoesNotMatch',
        status: 403,
        message:
          /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      });
    });

    it('through the SDK, a client clock 20 minutes fast', async () => {
      const config = {
        endpoint: box.endpoint,
        region: REGION,
        credentials: admin,
        maxAttempts: 1,
        systemClockOffset: 20 * 60_000,
      };
      await expectAwsError(new KMSClient(config).send(new ListKeysCommand({})), {
        name: 'InvalidSignatureException',
        status: 400,
        message:
          /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
      });
    });
  });

  describe('missing or malformed Authorization', () => {
    it('no Authorization header: MissingAuthenticationTokenException (KMS 400) / MissingAuthenticationToken (STS, IAM 403)', async () => {
      expectKms(
        await kms({}, null),
        'MissingAuthenticationTokenException',
        'Request is missing Authentication Token',
      );
      expectQuery(
        await sts({}, null),
        403,
        'MissingAuthenticationToken',
        'Request is missing Authentication Token',
      );
      expectQuery(
        await iam({}, null),
        403,
        'MissingAuthenticationToken',
        'Request is missing Authentication Token',
      );
    });

    it('parameters missing from the header: IncompleteSignatureException / IncompleteSignature 400, one sentence each', async () => {
      let header = '';
      const truncate = (request: { headers: Record<string, string> }) => {
        header = request.headers.authorization!.split(',')[0]!;
        request.headers.authorization = header;
      };
      const expected = () =>
        `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${header}`;
      const kmsResponse = await kms({ tamper: truncate });
      expect(header).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIA111122223333ADMN\/\d{8}\/us-east-1\/kms\/aws4_request$/,
      );
      expectKms(kmsResponse, 'IncompleteSignatureException', expected());
      const stsResponse = await sts({ tamper: truncate });
      expectQuery(stsResponse, 400, 'IncompleteSignature', expected());
    });

    it('a header that is not SigV4 at all lists every missing parameter', async () => {
      const basic = 'Basic dXNlcjpwYXNzd29yZA==';
      const response = await kms({ tamper: (request) => void (request.headers.authorization = basic) });
      expectKms(
        response,
        'IncompleteSignatureException',
        `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${basic}`,
      );
    });

    it('no X-Amz-Date header', async () => {
      let header = '';
      const response = await kms({
        tamper: (request) => {
          delete request.headers['x-amz-date'];
          header = request.headers.authorization!;
        },
      });
      expectKms(
        response,
        'IncompleteSignatureException',
        `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`,
      );
    });

    it('an X-Amz-Date that is not basic ISO-8601', async () => {
      const response = await sts({
        tamper: (request) => void (request.headers['x-amz-date'] = '2024-01-01T00:00:00Z'),
      });
      expectQuery(
        response,
        400,
        'IncompleteSignature',
        "Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
      );
    });

    it('an unsupported algorithm', async () => {
      const response = await kms({
        tamper: (request) =>
          void (request.headers.authorization = request.headers.authorization!.replace(
            'AWS4-HMAC-SHA256',
            'AWS4-HMAC-SHA512',
          )),
      });
      expectKms(
        response,
        'IncompleteSignatureException',
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
      );
    });

    it('a Credential without five parts', async () => {
      const response = await kms({
        tamper: (request) =>
          void (request.headers.authorization = request.headers.authorization!.replace('/aws4_request', '')),
      });
      expectKms(
        response,
        'IncompleteSignatureException',
        /^Credential must have exactly 5 slash-delimited elements, e\.g\. keyid\/date\/region\/service\/term, got 'AKIA111122223333ADMN\/\d{8}\/us-east-1\/kms'$/,
      );
    });
  });

  describe('credential scope and signed headers', () => {
    it('a scope date that does not match X-Amz-Date', async () => {
      let date = '';
      const tamper = (request: { headers: Record<string, string> }) => {
        date = request.headers['x-amz-date']!;
        request.headers.authorization = request.headers.authorization!.replace(
          `/${date.slice(0, 8)}/`,
          '/20200101/',
        );
      };
      const expected = () =>
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20200101' != '${date.slice(0, 8)}', from '${date}'.`;
      const kmsResponse = await kms({ tamper });
      expectKms(kmsResponse, 'InvalidSignatureException', expected());
      expectQuery(await sts({ tamper }), 403, 'SignatureDoesNotMatch', expected());
    });

    it('a region that is not a region', async () => {
      expectKms(
        await kms({ region: 'nowhere' }),
        'InvalidSignatureException',
        "Credential should be scoped to a valid region, not 'nowhere'. ",
      );
      expectQuery(
        await sts({ region: 'nowhere' }),
        403,
        'SignatureDoesNotMatch',
        "Credential should be scoped to a valid region, not 'nowhere'. ",
      );
    });

    it('another region is accepted (the scope names the region the client chose)', async () => {
      const response = await kms({ region: 'eu-west-1' });
      expect(response.status).toBe(200);
      // The platform key lives in us-east-1, so eu-west-1 has none.
      expect(JSON.parse(response.text)).toEqual({ Keys: [], Truncated: false });
    });

    it('a scope naming a service this endpoint does not serve', async () => {
      expectKms(
        await kms({ service: 's3' }),
        'InvalidSignatureException',
        "Credential should be scoped to correct service: 'kms'. ",
      );
      expectQuery(
        await sts({ service: 's3' }),
        403,
        'SignatureDoesNotMatch',
        "Credential should be scoped to correct service: 'sts'. ",
      );
    });

    it('a KMS request signed for STS or IAM is refused by KMS for its scope', async () => {
      expectKms(
        await kms({ service: 'sts' }),
        'InvalidSignatureException',
        "Credential should be scoped to correct service: 'kms'. ",
      );
      expectKms(
        await kms({ service: 'iam' }),
        'InvalidSignatureException',
        "Credential should be scoped to correct service: 'kms'. ",
      );
    });

    it('a terminator other than aws4_request', async () => {
      const tamper = (request: { headers: Record<string, string> }) =>
        void (request.headers.authorization = request.headers.authorization!.replace(
          '/aws4_request',
          '/aws5_request',
        ));
      expectKms(
        await kms({ tamper }),
        'InvalidSignatureException',
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
      );
    });

    it('SignedHeaders without host', async () => {
      const tamper = (request: { headers: Record<string, string> }) => {
        const before = request.headers.authorization!;
        request.headers.authorization = before.replace(
          /SignedHeaders=([^,]*)/,
          (_all, list: string) =>
            `SignedHeaders=${list
              .split(';')
              .filter((name) => name !== 'host')
              .join(';')}`,
        );
        expect(request.headers.authorization).not.toBe(before);
      };
      expectKms(
        await kms({ tamper }),
        'InvalidSignatureException',
        "'Host' must be a 'SignedHeader' in the AWS Authorization.",
      );
      expectQuery(
        await sts({ tamper }),
        403,
        'SignatureDoesNotMatch',
        "'Host' must be a 'SignedHeader' in the AWS Authorization.",
      );
    });
  });

  describe('expired session credentials', () => {
    // Its own sandbox: moving the clock forward must not expire other tests' sessions.
    let expiring: RunningSandbox;
    beforeAll(async () => {
      expiring = await sandbox();
    });
    afterAll(() => expiring.close());

    it('ExpiredTokenException (KMS, 400) and ExpiredToken (STS, IAM, 403)', async () => {
      const issued = (
        await clients(expiring, platformAdmin(expiring)).sts.send(
          new AssumeRoleCommand({ RoleArn: SERVICE_ROLE, RoleSessionName: 'expiring', DurationSeconds: 900 }),
        )
      ).Credentials!;
      const session = {
        accessKeyId: issued.AccessKeyId!,
        secretAccessKey: issued.SecretAccessKey!,
        sessionToken: issued.SessionToken!,
      };
      const sdk = clients(expiring, session);
      const describeKey = () => sdk.kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }));
      expect((await describeKey()).KeyMetadata!.KeyState).toBe('Enabled');

      expiring.clock.advance(900_000);
      await expectAwsError(describeKey(), {
        name: 'ExpiredTokenException',
        status: 400,
        message: EXPIRED_TOKEN,
      });
      await expectAwsError(sdk.sts.send(new GetCallerIdentityCommand({})), {
        name: 'ExpiredToken',
        status: 403,
        message: EXPIRED_TOKEN,
      });
      await expectAwsError(sdk.iam.send(new GetRoleCommand({ RoleName: 'keyward-service' })), {
        name: 'ExpiredToken',
        status: 403,
        message: EXPIRED_TOKEN,
      });

      // On the wire: the awsJson body and the awsQuery envelope.
      expectKms(
        await kmsCall(
          expiring.endpoint,
          session,
          'TrentService.DescribeKey',
          '{"KeyId":"alias/keyward-platform"}',
        ),
        'ExpiredTokenException',
        EXPIRED_TOKEN,
      );
      expectQuery(
        await queryCall(expiring.endpoint, 'sts', session, STS_BODY),
        403,
        'ExpiredToken',
        EXPIRED_TOKEN,
      );

      // A wrong token on an expired key is still "invalid": the token is checked first.
      await expectAwsError(
        clients(expiring, { ...session, sessionToken: 'not-a-token' }).kms.send(
          new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }),
        ),
        {
          name: 'UnrecognizedClientException',
          status: 400,
          message: INVALID_TOKEN,
        },
      );
    });
  });
});
