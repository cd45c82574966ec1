import {
  AssumedRoleCredentialCache,
  SdkKmsPort,
  SdkStsPort,
  type AwsClientOptions,
  type AwsCredentials,
  type Clock,
} from '@keyward/core';
import type { ServerConfig } from '../config/schema.js';

/** The sandbox's documented administrator key of an account (README "Sandbox defaults"). */
export const sandboxAdminCredentials = (accountId: string): AwsCredentials => ({
  accessKeyId: `AKIA${accountId}ADMN`,
  secretAccessKey: `sandbox-secret-${accountId}`,
});

export interface PlatformAws {
  /** Signs as the platform's Service Role. */
  kms: SdkKmsPort;
  sts: SdkStsPort;
  close(): void;
}

/**
 * The platform's own AWS access, signing as its Service Role:
 * - real AWS: the SDK's default credential chain (the instance, task or pod role is the Service Role);
 * - the sandbox: the platform account's administrator assumes the Service Role, and the session is
 *   refreshed before it expires, as an instance role's would be.
 */
export function platformAws(config: ServerConfig, endpoint: string | undefined, clock?: Clock): PlatformAws {
  const base: AwsClientOptions = {
    region: config.aws.region,
    ...(endpoint === undefined ? {} : { endpoint }),
  };
  let options: AwsClientOptions = base;
  let bootstrap: SdkStsPort | undefined;
  if (config.aws.mode === 'sandbox') {
    const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(config.platform.serviceRoleArn)![1]!;
    bootstrap = new SdkStsPort({ ...base, credentials: sandboxAdminCredentials(account) });
    const sessions = new AssumedRoleCredentialCache(bootstrap, {
      ...(clock === undefined ? {} : { clock }),
      durationSeconds: 3600,
    });
    options = {
      ...base,
      credentials: () =>
        sessions.get({ roleArn: config.platform.serviceRoleArn, roleSessionName: 'keyward-platform' }),
    };
  }
  const kms = new SdkKmsPort(options, clock);
  const sts = new SdkStsPort(options);
  return {
    kms,
    sts,
    close() {
      kms.close();
      sts.close();
      bootstrap?.close();
    },
  };
}
