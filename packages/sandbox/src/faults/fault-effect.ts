import { setTimeout as sleep } from 'node:timers/promises';
import { InjectedFault } from './injected-fault.js';
import { AwsError } from '../protocol/aws-error.js';
import type { ServiceName } from '../operation-names.js';
import type { FaultRule } from './faults.js';

/**
 * What a fired rule does to the call: wait and go on (latency), or end it with the error the
 * service would send (throttling, 5xx), or with a dropped connection (reset).
 */
export async function applyFaultEffect(service: ServiceName, rule: FaultRule): Promise<void> {
  const kms = service === 'kms';
  switch (rule.mode) {
    case 'latency':
      await sleep(rule.latencyMs ?? 0);
      return;
    case 'throttle':
      throw new InjectedFault(
        'error',
        new AwsError(kms ? 'ThrottlingException' : 'Throttling', 'Rate exceeded'),
      );
    case 'reset':
      throw new InjectedFault('reset');
    case 'unavailable':
      throw new InjectedFault(
        'error',
        new AwsError(kms ? 'ServiceUnavailableException' : 'ServiceUnavailable', 'Service is unavailable', {
          status: 503,
        }),
      );
    case 'internal-error':
      throw new InjectedFault(
        'error',
        new AwsError(
          kms ? 'KMSInternalException' : 'InternalFailure',
          'We encountered an internal error. Please try again.',
          { status: 500 },
        ),
      );
  }
}
