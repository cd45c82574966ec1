import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { serviceRolePolicy } from '@keyward/core';
import { PLATFORM_ACCOUNT_ID, SERVICE_ROLE_NAME } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { onboarding, type Onboarding } from './fixture.js';

/**
 * Step 5, self-service: the platform's Service Role policy generated from the registered roles
 * lets the platform assume exactly those roles. The sandbox's default policy allows every role;
 * here it is replaced by the generated one, as the platform's operator would.
 */
describe('the platform side: the Service Role policy from the registered roles', () => {
  let world: Onboarding;
  beforeAll(async () => {
    world = await onboarding();
  });
  afterAll(() => world.close());

  it('a registered role can be assumed; a role that trusts the platform but is not registered cannot', async () => {
    const registered = world.nextRoleArn();
    const policy = serviceRolePolicy([registered, registered]);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeRegisteredCustomerRoles',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: [registered],
        },
      ],
    });
    const platform = clients(world.box, world.box.credentials(PLATFORM_ACCOUNT_ID));
    await platform.iam.send(
      new PutRolePolicyCommand({
        RoleName: SERVICE_ROLE_NAME,
        PolicyName: 'assume-customer-byok-roles',
        PolicyDocument: JSON.stringify(policy),
      }),
    );

    const allowed = await world.run();
    expect(allowed.report.roleArn).toBe(registered);
    expect(allowed.report.ok).toBe(true);

    const refused = await world.run();
    expect(refused.report.results[1]).toMatchObject({
      id: 'assume-role',
      status: 'fail',
      code: 'KW_CHECK_ASSUME_ROLE_DENIED',
    });
    expect(refused.report.results[1]!.message).toMatch(
      /no identity-based policy allows the sts:AssumeRole action|not authorized/,
    );
  });

  it('no registered role: no policy (IAM refuses a policy without statements)', () => {
    expect(serviceRolePolicy([])).toBeNull();
  });
});
