import { IAM_OPERATIONS } from './iam/operations.js';
import { KMS_OPERATIONS } from './kms/operations.js';
import type { ServiceName } from './sigv4/auth-errors.js';
import { STS_OPERATIONS } from './sts/operations.js';

/** Every operation the sandbox serves, by service (for validating fault rules). */
export const OPERATION_NAMES: Readonly<Record<ServiceName, readonly string[]>> = {
  kms: Object.keys(KMS_OPERATIONS),
  sts: Object.keys(STS_OPERATIONS),
  iam: Object.keys(IAM_OPERATIONS),
};

export function isKnownOperation(service: ServiceName | undefined, operation: string): boolean {
  const services = service ? [service] : (Object.keys(OPERATION_NAMES) as ServiceName[]);
  return services.some((name) => OPERATION_NAMES[name].includes(operation));
}
