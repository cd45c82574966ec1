import { stringify } from 'yaml';
import type { KitValues } from './kit-input.js';
import { permissionsPolicy, trustPolicy } from './policies.js';

/**
 * A CloudFormation template (YAML) that creates the role and its permissions policy. The tenant's
 * values are the parameters' defaults; the policy documents are the kit's JSON documents with the
 * parameters put in through `Ref`, so the template and the JSON artifacts cannot drift apart.
 * Key policies of existing keys cannot be amended by CloudFormation: the guide's key-policy step
 * stays manual, and the template says so. Every string value is double-quoted, so that no YAML
 * parser (1.1 or 1.2) reads "2012-10-17" as a date or "0o17" as a number.
 */
export function cloudFormationTemplate(values: KitValues): string {
  const trust = trustPolicy(values.serviceRoleArn, 'EXTERNAL_ID');
  trust.Statement[0]!.Condition = {
    StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } as unknown as string },
  };
  const permissions = permissionsPolicy('KMS_KEY_ARN');
  permissions.Statement[0]!.Resource = { Ref: 'KmsKeyArn' } as unknown as string;
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Keyward BYOK: the role that lets the platform use your KMS key for tenant ${values.tenantId}. Also add the key policy statement from the setup guide to the key.`,
    Parameters: {
      RoleName: {
        Type: 'String',
        Default: values.roleName,
        AllowedPattern: '[\\w+=,.@-]{1,64}',
        Description: 'Name of the role the platform assumes.',
      },
      KmsKeyArn: {
        Type: 'String',
        Default: values.keyArn,
        AllowedPattern: 'arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[a-zA-Z0-9-]+',
        Description: 'ARN of your KMS key (a key ARN, not an alias).',
      },
      ExternalId: {
        Type: 'String',
        Default: values.externalId,
        AllowedPattern: '[\\w+=,.@:/-]{2,1224}',
        Description: 'The External ID Keyward issued for your tenant.',
      },
    },
    Resources: {
      KeywardByokRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          Path: values.rolePath,
          Description: `Lets Keyward use the BYOK key for tenant ${values.tenantId}`,
          AssumeRolePolicyDocument: trust,
          Policies: [{ PolicyName: 'keyward-byok-key-access', PolicyDocument: permissions }],
        },
      },
    },
    Outputs: {
      RoleArn: {
        Description: 'Give this Role ARN to the platform.',
        Value: { 'Fn::GetAtt': ['KeywardByokRole', 'Arn'] },
      },
      KmsKeyArn: { Description: 'Give this CMK ARN to the platform.', Value: { Ref: 'KmsKeyArn' } },
    },
  };
  return `# Keyward BYOK setup for tenant ${values.tenantId}: deploy with\n#   aws cloudformation deploy --template-file keyward-byok.yaml --stack-name keyward-byok --capabilities CAPABILITY_NAMED_IAM\n${stringify(template, { lineWidth: 0, version: '1.1', defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })}`;
}
