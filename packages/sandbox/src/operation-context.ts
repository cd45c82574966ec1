import type { Clock } from './clock.js';
import type { SandboxConfig } from './config.js';
import type { FaultInjector } from './faults/faults.js';
export { InjectedFault } from './faults/injected-fault.js';
import { authorize, denialMessage, type Decision } from './policy/authorize.js';
import { principalType, type Caller } from './policy/caller.js';
import { RequestContext } from './policy/context.js';
import { identityPoliciesOf } from './policy/identity-policies.js';
import type { Policy } from './policy/types.js';
import { AwsError } from './protocol/aws-error.js';
import type { ServiceName } from './operation-names.js';
import type { SandboxStore } from './state/store.js';
import type { TrailEvent } from './trail/trail.js';

/** Everything long-lived that operations use. */
export interface SandboxServices {
  store: SandboxStore;
  clock: Clock;
  config: SandboxConfig;
  faults: FaultInjector;
}

export interface AuthorizationCheck {
  action: string;
  resource: string;
  context: RequestContext;
  resourcePolicy?: { policy: Policy; account: string };
}

/**
 * One request's view of the sandbox: who is calling, where, and the trail entry being filled in.
 * Operations call `touch()` once they know which account or key they act on, so that fault rules
 * scoped to a key or an account can fire.
 */
export class OperationContext {
  readonly firedFaults = new Set<string>();

  constructor(
    readonly services: SandboxServices,
    readonly service: ServiceName,
    readonly operation: string,
    readonly caller: Caller,
    readonly region: string,
    readonly requestId: string,
    readonly event: TrailEvent,
    private readonly applyFaults: (
      context: OperationContext,
      target: { account?: string; keyArn?: string },
    ) => Promise<void>,
  ) {}

  get store(): SandboxStore {
    return this.services.store;
  }

  now(): number {
    return this.services.clock.now();
  }

  /** Records the resource the call acts on, and lets resource-scoped faults fire. */
  async touch(target: { account?: string; keyArn?: string; resource?: string }): Promise<void> {
    if (target.account) this.event.account = target.account;
    if (target.keyArn && !this.event.keyArn) this.event.keyArn = target.keyArn;
    else if (target.keyArn && target.keyArn !== this.event.keyArn) this.event.resources.push(target.keyArn);
    if (target.resource) this.event.resources.push(target.resource);
    await this.applyFaults(this, target);
  }

  /** The global condition keys every request carries. */
  conditionContext(): RequestContext {
    const caller = this.caller;
    const context = new RequestContext()
      .set('aws:PrincipalArn', caller.principalArn)
      .set('aws:PrincipalAccount', caller.account)
      .set('aws:PrincipalType', principalType(caller))
      .set('aws:userid', caller.userId)
      .set('aws:username', caller.userName)
      .set('aws:SourceIdentity', caller.sourceIdentity)
      .set('aws:RequestedRegion', this.region)
      .set('aws:SourceIp', this.event.sourceIp)
      .set('aws:CurrentTime', new Date(this.now()).toISOString())
      .set('aws:EpochTime', String(Math.floor(this.now() / 1000)));
    for (const tag of caller.tags) context.set(`aws:PrincipalTag/${tag.key}`, tag.value);
    return context;
  }

  decide(check: AuthorizationCheck): Decision {
    return authorize({
      ...check,
      caller: this.caller,
      identityPolicies: identityPoliciesOf(this.store, this.caller),
    });
  }

  /**
   * Throws AWS's AccessDenied when policies do not allow the action. KMS and IAM say why
   * ("because no resource-based policy allows …"); STS AssumeRole, as in AWS, does not.
   */
  require(check: AuthorizationCheck): void {
    const decision = this.decide(check);
    if (decision.allowed) return;
    const withReason = this.service !== 'sts';
    const message = denialMessage(this.caller.arn, check.action, check.resource, decision.reason, withReason);
    if (this.service === 'kms')
      throw new AwsError('AccessDeniedException', message, { messageField: 'Message' });
    throw new AwsError('AccessDenied', message, { status: 403 });
  }
}
