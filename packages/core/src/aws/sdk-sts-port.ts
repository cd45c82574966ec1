import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { KeywardError } from '../errors.js';
import { sdkClientConfig, sdkCredentials, type AwsClientOptions } from './client-options.js';
import { mapAwsError } from './error-mapping.js';
import { requestIdOf } from './sdk-kms-port.js';
import type { AssumeRoleRequest, AwsCredentials, StsPort } from './ports.js';

/** StsPort over `@aws-sdk/client-sts`, signing with the platform's credentials in its home region. */
export class SdkStsPort implements StsPort {
  readonly #client: STSClient;

  constructor(options: AwsClientOptions) {
    this.#client = new STSClient({
      ...sdkClientConfig(options, options.region),
      credentials: sdkCredentials(options.credentials),
    });
  }

  async assumeRole(
    request: AssumeRoleRequest,
  ): Promise<AwsCredentials & { expiration: Date; assumedRoleArn: string; requestId?: string }> {
    let out;
    try {
      out = await this.#client.send(
        new AssumeRoleCommand({
          RoleArn: request.roleArn,
          RoleSessionName: request.roleSessionName,
          ...(request.externalId === undefined ? {} : { ExternalId: request.externalId }),
          ...(request.durationSeconds === undefined ? {} : { DurationSeconds: request.durationSeconds }),
          ...(request.sourceIdentity === undefined ? {} : { SourceIdentity: request.sourceIdentity }),
        }),
      );
    } catch (error) {
      throw mapAwsError(error, 'sts', 'AssumeRole');
    }
    const credentials = out.Credentials;
    if (
      credentials?.AccessKeyId === undefined ||
      credentials.SecretAccessKey === undefined ||
      credentials.SessionToken === undefined ||
      credentials.Expiration === undefined
    ) {
      throw new KeywardError('KW_AWS_ERROR', {
        message: 'AWS STS AssumeRole answered without credentials.',
        aws: { service: 'sts', operation: 'AssumeRole', errorName: 'MissingField' },
      });
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
      assumedRoleArn: out.AssumedRoleUser?.Arn ?? request.roleArn,
      ...requestIdOf(out),
    };
  }

  close(): void {
    this.#client.destroy();
  }
}
