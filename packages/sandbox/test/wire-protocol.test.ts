import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  CUSTOMER_ACCOUNT_ID,
  customerAdmin,
  PLATFORM_ACCOUNT_ID,
  platformAdmin,
  sandbox,
  type Credentials,
} from '@keyward/test-kit/sandbox-clients';
import {
  decodeXmlText,
  kmsCall,
  parseQueryError,
  queryCall,
  rawCall,
  type RawResponse,
} from './signed-request.js';

/** The wire shapes themselves: awsJson1_1 for KMS, awsQuery (form in, XML out) for STS and IAM. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_TEXT = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const P = PLATFORM_ACCOUNT_ID;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const element = (xml: string, tag: string) => {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return match ? decodeXmlText(match[1]!) : undefined;
};

describe('wire protocols', () => {
  let box: RunningSandbox;
  let admin: Credentials;
  const kms = (target: string, body: string, credentials: Credentials = admin) =>
    kmsCall(box.endpoint, credentials, target, body);
  const sts = (params: Record<string, string>, credentials: Credentials = admin) =>
    queryCall(box.endpoint, 'sts', credentials, { Version: '2011-06-15', ...params });
  const iam = (params: Record<string, string>, credentials: Credentials = admin) =>
    queryCall(box.endpoint, 'iam', credentials, { Version: '2010-05-08', ...params });

  /** Asserts a KMS error's status, headers and exact body. */
  function expectKmsError(response: RawResponse, body: Record<string, string>): void {
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(UUID);
    expect(response.headers.get('x-amzn-errortype')).toBe(body.__type);
    const parsed = JSON.parse(response.text) as Record<string, unknown>;
    expect(parsed).toEqual(body);
    // Clients take the code from `code` before `__type`: the body must never have one.
    expect(Object.keys(parsed).map((key) => key.toLowerCase())).not.toContain('code');
  }

  /** Asserts the exact awsQuery error envelope, and returns its decoded message. */
  function expectQueryError(
    response: RawResponse,
    namespace: string,
    status: number,
    code: string,
  ): string | undefined {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('text/xml');
    const requestId = response.headers.get('x-amzn-requestid')!;
    expect(requestId).toMatch(UUID);
    const envelope = new RegExp(
      `^<ErrorResponse xmlns="${escapeRegExp(namespace)}"><Error><Type>Sender</Type><Code>${code}</Code>(?:<Message>[^<]*</Message>)?</Error><RequestId>${requestId}</RequestId></ErrorResponse>$`,
    );
    expect(response.text).toMatch(envelope);
    return parseQueryError(response.text).message;
  }

  beforeAll(async () => {
    box = await sandbox();
    admin = platformAdmin(box);
  });
  afterAll(() => box.close());

  describe('KMS (awsJson1_1)', () => {
    it('a success is 200 with application/x-amz-json-1.1 and x-amzn-RequestId', async () => {
      const response = await kms('TrentService.ListKeys', '{}');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(response.headers.get('x-amzn-requestid')).toMatch(UUID);
      const body = JSON.parse(response.text) as {
        Keys: { KeyId: string; KeyArn: string }[];
        Truncated: boolean;
      };
      expect(body.Truncated).toBe(false);
      expect(body.Keys).toHaveLength(1);
      expect(body.Keys[0]!.KeyArn).toBe(`arn:aws:kms:us-east-1:${P}:key/${body.Keys[0]!.KeyId}`);
    });

    it('an empty body is read as {}', async () => {
      const response = await kms('TrentService.ListKeys', '');
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text).Keys).toHaveLength(1);
    });

    it('timestamps are epoch seconds as JSON numbers', async () => {
      const response = await kms(
        'TrentService.DescribeKey',
        JSON.stringify({ KeyId: 'alias/keyward-platform' }),
      );
      const metadata = JSON.parse(response.text).KeyMetadata as { CreationDate: unknown };
      expect(typeof metadata.CreationDate).toBe('number');
      expect(metadata.CreationDate as number).toBeLessThan(Date.now() / 1000 + 1);
      expect(metadata.CreationDate as number).toBeGreaterThan(1_600_000_000);
    });

    it('a modeled error has __type and a lowercase message', async () => {
      expectKmsError(await kms('TrentService.DescribeKey', JSON.stringify({ KeyId: 'alias/nope' })), {
        __type: 'NotFoundException',
        message: `Alias arn:aws:kms:us-east-1:${P}:alias/nope is not found.`,
      });
    });

    it('a validation error is ValidationException with a lowercase message', async () => {
      expectKmsError(await kms('TrentService.DescribeKey', '{}'), {
        __type: 'ValidationException',
        message:
          "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      });
    });

    it('AccessDeniedException uses a capital Message', async () => {
      const keyArn = (
        JSON.parse(
          (await kms('TrentService.DescribeKey', JSON.stringify({ KeyId: 'alias/keyward-platform' }))).text,
        ) as { KeyMetadata: { Arn: string } }
      ).KeyMetadata.Arn;
      const response = await kms(
        'TrentService.Encrypt',
        JSON.stringify({ KeyId: keyArn, Plaintext: Buffer.from('x').toString('base64') }),
        customerAdmin(box),
      );
      expectKmsError(response, {
        __type: 'AccessDeniedException',
        Message: `User: arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin is not authorized to perform: kms:Encrypt on resource: ${keyArn} because no resource-based policy allows the kms:Encrypt action`,
      });
    });

    it('InvalidCiphertextException has no message at all', async () => {
      const encrypted = JSON.parse(
        (
          await kms(
            'TrentService.Encrypt',
            JSON.stringify({
              KeyId: 'alias/keyward-platform',
              Plaintext: Buffer.from('x').toString('base64'),
              EncryptionContext: { tenant: 'a' },
            }),
          )
        ).text,
      ) as { CiphertextBlob: string };
      const response = await kms(
        'TrentService.Decrypt',
        JSON.stringify({ CiphertextBlob: encrypted.CiphertextBlob }),
      );
      expectKmsError(response, { __type: 'InvalidCiphertextException' });
      expect(response.text).toBe('{"__type":"InvalidCiphertextException"}');
    });

    it('a body that is not JSON is a bare SerializationException', async () => {
      const response = await kms('TrentService.ListKeys', '{"Limit": ');
      expectKmsError(response, { __type: 'SerializationException' });
    });

    it('a JSON body that is not an object is SerializationException', async () => {
      for (const body of ['[]', 'null', '"text"', '42']) {
        const response = await kms('TrentService.ListKeys', body);
        expect(response.status).toBe(400);
        expect(JSON.parse(response.text).__type).toBe('SerializationException');
      }
    });

    it('a member of the wrong JSON type is SerializationException', async () => {
      expectKmsError(await kms('TrentService.DescribeKey', '{"KeyId": 5}'), {
        __type: 'SerializationException',
      });
      expectKmsError(await kms('TrentService.ListKeys', '{"Limit": "10"}'), {
        __type: 'SerializationException',
      });
      expectKmsError(
        await kms('TrentService.Encrypt', '{"KeyId": "alias/keyward-platform", "Plaintext": "not base64!"}'),
        { __type: 'SerializationException' },
      );
    });

    it('an unknown X-Amz-Target is UnknownOperationException with no message', async () => {
      for (const target of [
        'TrentService.Nope',
        'TrentService.',
        'Other.ListKeys',
        'TrentService.constructor',
        'TrentService.__proto__',
        'TrentService.toString',
      ]) {
        const response = await kms(target, '{}');
        expectKmsError(response, { __type: 'UnknownOperationException' });
        expect(response.text).toBe('{"__type":"UnknownOperationException"}');
      }
    });
  });

  describe('STS and IAM (awsQuery)', () => {
    it('STS: the result element in the STS namespace, with ResponseMetadata/RequestId', async () => {
      const response = await sts({ Action: 'GetCallerIdentity' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/xml');
      const requestId = response.headers.get('x-amzn-requestid')!;
      expect(requestId).toMatch(UUID);
      const userId = box.store.user(P, 'admin')!.userId;
      expect(response.text).toBe(
        `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><UserId>${userId}</UserId><Account>${P}</Account>` +
          `<Arn>arn:aws:iam::${P}:user/admin</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    });

    it('STS AssumeRole: ISO-8601 Expiration and no PackedPolicySize without a session policy', async () => {
      const response = await sts({
        Action: 'AssumeRole',
        RoleArn: `arn:aws:iam::${P}:role/keyward-service`,
        RoleSessionName: 'wire',
      });
      expect(response.status).toBe(200);
      expect(response.text).toMatch(
        new RegExp(
          `^<AssumeRoleResponse xmlns="${escapeRegExp(STS_NS)}"><AssumeRoleResult><AssumedRoleUser>`,
        ),
      );
      expect(response.text).toMatch(
        new RegExp(
          `<ResponseMetadata><RequestId>${UUID_TEXT}</RequestId></ResponseMetadata></AssumeRoleResponse>$`,
        ),
      );
      expect(element(response.text, 'Arn')).toBe(`arn:aws:sts::${P}:assumed-role/keyward-service/wire`);
      expect(element(response.text, 'AccessKeyId')).toMatch(/^ASIA/);
      expect(element(response.text, 'Expiration')).toMatch(ISO_SECONDS);
      expect(response.text).not.toContain('PackedPolicySize');
      expect(response.text).not.toContain('SourceIdentity');
    });

    it('IAM: the result element in the IAM namespace, ISO-8601 CreateDate, URL-encoded document', async () => {
      const response = await iam({ Action: 'GetRole', RoleName: 'keyward-service' });
      expect(response.status).toBe(200);
      const requestId = response.headers.get('x-amzn-requestid')!;
      expect(response.text).toMatch(
        new RegExp(`^<GetRoleResponse xmlns="${escapeRegExp(IAM_NS)}"><GetRoleResult><Role>`),
      );
      expect(response.text).toMatch(
        new RegExp(
          `</Role></GetRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetRoleResponse>$`,
        ),
      );
      expect(element(response.text, 'CreateDate')).toMatch(ISO_SECONDS);
      expect(element(response.text, 'Arn')).toBe(`arn:aws:iam::${P}:role/keyward-service`);
      const document = element(response.text, 'AssumeRolePolicyDocument')!;
      expect(document).toMatch(/^%7B%22Version%22/);
      expect(JSON.parse(decodeURIComponent(document)).Statement[0].Principal).toEqual({
        AWS: `arn:aws:iam::${P}:root`,
      });
    });

    it('an operation with no result has only ResponseMetadata', async () => {
      // Writes back the role's own trust policy, so nothing changes.
      const current = box.store.role(P, 'keyward-service')!.trustPolicy;
      const response = await iam({
        Action: 'UpdateAssumeRolePolicy',
        RoleName: 'keyward-service',
        PolicyDocument: current,
      });
      expect(response.status).toBe(200);
      expect(response.text).toMatch(
        new RegExp(
          `^<UpdateAssumeRolePolicyResponse xmlns="${escapeRegExp(IAM_NS)}"><ResponseMetadata><RequestId>${UUID_TEXT}</RequestId></ResponseMetadata></UpdateAssumeRolePolicyResponse>$`,
        ),
      );
    });

    it('an error is exactly <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>', async () => {
      const role = `arn:aws:iam::${P}:role/not-here`;
      const stsMessage = expectQueryError(
        await sts({ Action: 'AssumeRole', RoleArn: role, RoleSessionName: 'sess' }),
        STS_NS,
        403,
        'AccessDenied',
      );
      expect(stsMessage).toBe(
        `User: arn:aws:iam::${P}:user/admin is not authorized to perform: sts:AssumeRole on resource: ${role}`,
      );
      const iamMessage = expectQueryError(
        await iam({ Action: 'GetRole', RoleName: 'not-here' }),
        IAM_NS,
        404,
        'NoSuchEntity',
      );
      expect(iamMessage).toBe('The role with name not-here cannot be found.');
      const validation = expectQueryError(await iam({ Action: 'GetRole' }), IAM_NS, 400, 'ValidationError');
      expect(validation).toBe(
        "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null",
      );
    });

    it('an unknown Action is InvalidAction 400 "Could not find operation <Action> for version <Version>"', async () => {
      expect(expectQueryError(await sts({ Action: 'Nope' }), STS_NS, 400, 'InvalidAction')).toBe(
        'Could not find operation Nope for version 2011-06-15',
      );
      expect(expectQueryError(await iam({ Action: 'Nope' }), IAM_NS, 400, 'InvalidAction')).toBe(
        'Could not find operation Nope for version 2010-05-08',
      );
      // Object.prototype member names are not operations either.
      for (const action of ['constructor', 'toString', '__proto__']) {
        expect(expectQueryError(await sts({ Action: action }), STS_NS, 400, 'InvalidAction')).toBe(
          `Could not find operation ${action} for version 2011-06-15`,
        );
      }
    });

    it('an Action asked for with another service’s Version is InvalidAction', async () => {
      const response = await sts({ Action: 'GetCallerIdentity', Version: '2010-05-08' });
      expect(expectQueryError(response, STS_NS, 400, 'InvalidAction')).toBe(
        'Could not find operation GetCallerIdentity for version 2010-05-08',
      );
    });

    it('a missing Action is MissingAction 400', async () => {
      const response = await queryCall(box.endpoint, 'sts', admin, { Version: '2011-06-15' });
      expect(expectQueryError(response, STS_NS, 400, 'MissingAction')).toBe('Missing Action');
    });

    it('a body that is not a form is a Sender error, not a crash', async () => {
      const response = await rawCall({
        endpoint: box.endpoint,
        service: 'sts',
        credentials: admin,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ Action: 'GetCallerIdentity', Version: '2011-06-15' }),
      });
      expect(expectQueryError(response, STS_NS, 400, 'ValidationError')).toBe(
        'Unsupported content type: application/json',
      );
    });

    it('<, & and > in a message are escaped, and decode to the text', async () => {
      const response = await sts({
        Action: 'AssumeRole',
        RoleArn: `arn:aws:iam::${P}:role/keyward-service`,
        RoleSessionName: 'a<&>b',
      });
      const message = expectQueryError(response, STS_NS, 400, 'ValidationError');
      expect(message).toBe(
        "1 validation error detected: Value 'a<&>b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      );
      expect(response.text).toContain('a&lt;&amp;&gt;b');
      expect(response.text).not.toContain('a<&>b');

      const arn = `arn:aws:iam::${P}:role/<x&y>`;
      const denied = await sts({ Action: 'AssumeRole', RoleArn: arn, RoleSessionName: 'escape' });
      expect(expectQueryError(denied, STS_NS, 403, 'AccessDenied')).toBe(
        `User: arn:aws:iam::${P}:user/admin is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
      );
      expect(denied.text).toContain('role/&lt;x&amp;y&gt;');
    });
  });

  describe('requests that are not AWS-shaped', () => {
    /** Any answer is fine as long as it is a client error with a body, promptly. */
    const expectClientError = async (response: Response): Promise<string> => {
      const text = await response.text();
      expect(response.status, text).toBeGreaterThanOrEqual(400);
      expect(response.status, text).toBeLessThan(500);
      expect(text.length).toBeGreaterThan(0);
      return text;
    };

    it('GET / with nothing else', async () => {
      const text = await expectClientError(await fetch(`${box.endpoint}/`));
      expect(parseQueryError(text).code).toBe('MissingAction');
    });

    it('binary garbage, an unknown path and method, odd headers', async () => {
      await expectClientError(
        await fetch(`${box.endpoint}/`, {
          method: 'POST',
          body: new Uint8Array([0, 255, 1, 254, 0x7b, 0x22]),
        }),
      );
      await expectClientError(
        await fetch(`${box.endpoint}/some/deep/path?x=%zz`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: '{"a":1}',
        }),
      );
      await expectClientError(await fetch(`${box.endpoint}/`, { method: 'DELETE' }));
      await expectClientError(
        await fetch(`${box.endpoint}/`, {
          method: 'POST',
          headers: { 'x-amz-target': '', authorization: '' },
          body: '',
        }),
      );
      await expectClientError(
        await fetch(`${box.endpoint}/`, {
          method: 'POST',
          headers: {
            authorization: 'AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;, Signature=zz',
            'x-amz-date': '99999999T999999Z',
          },
          body: 'Action=GetCallerIdentity&Version=2011-06-15',
        }),
      );
    });

    it('a malformed %-escape in the path', async () => {
      const text = await expectClientError(
        await fetch(`${box.endpoint}/%ZZ?Action=GetCallerIdentity&Version=2011-06-15`, { method: 'POST' }),
      );
      expect(parseQueryError(text)).toMatchObject({
        namespace: STS_NS,
        code: 'MissingAuthenticationToken',
        message: 'Request is missing Authentication Token',
      });
      // Signed for path "/" but sent to "/%ZZ": the signature cannot match.
      const signed = await rawCall({
        endpoint: `${box.endpoint}/%ZZ`,
        service: 'sts',
        credentials: admin,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=GetCallerIdentity&Version=2011-06-15',
      });
      expect(parseQueryError(signed.text)).toMatchObject({
        namespace: STS_NS,
        code: 'SignatureDoesNotMatch',
      });
      expect(signed.status).toBe(403);
    });

    it('access key IDs that are Object.prototype member names are unknown keys', async () => {
      for (const accessKeyId of ['constructor', '__proto__', 'toString']) {
        const response = await kmsCall(
          box.endpoint,
          { accessKeyId, secretAccessKey: 'x', sessionToken: 'token' },
          'TrentService.ListKeys',
          '{}',
        );
        expectKmsError(response, {
          __type: 'UnrecognizedClientException',
          message: 'The security token included in the request is invalid.',
        });
      }
    });

    it('a body over the size limit is refused, not read forever', async () => {
      const response = await fetch(`${box.endpoint}/`, {
        method: 'POST',
        headers: { 'x-amz-target': 'TrentService.ListKeys' },
        body: 'x'.repeat(1_100_000),
      });
      expect(response.status).toBe(413);
      expect(JSON.parse(await response.text())).toEqual({
        __type: 'SerializationException',
        message: 'Request body too large',
      });
      const query = await fetch(`${box.endpoint}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `Action=GetCallerIdentity&x=${'y'.repeat(1_100_000)}`,
      });
      expect(query.status).toBe(413);
      expect(query.headers.get('content-type')).toBe('text/xml');
      expect(await query.text()).toContain('<Code>RequestEntityTooLarge</Code>');
    });

    it('the sandbox still answers normally afterwards', async () => {
      const response = await sts({ Action: 'GetCallerIdentity' });
      expect(response.status).toBe(200);
      expect(element(response.text, 'Arn')).toBe(`arn:aws:iam::${P}:user/admin`);
    });
  });
});
