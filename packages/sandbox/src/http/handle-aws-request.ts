import { applyFaultEffect } from '../faults/fault-effect.js';
import { IAM_OPERATIONS } from '../iam/operations.js';
import { newRequestId } from '../ids.js';
import { KmsInput } from '../kms/kms-input.js';
import type { KmsHandler } from '../kms/kms-handler.js';
import { KMS_OPERATIONS } from '../kms/operations.js';
import { InjectedFault, OperationContext, type SandboxServices } from '../operation-context.js';
import { isOperationOf } from '../operation-names.js';
import { AwsError, isAwsError } from '../protocol/aws-error.js';
import { jsonError, jsonResponse, parseJsonInput } from '../protocol/json-protocol.js';
import type { QueryHandler } from '../query-handler.js';
import { QueryInput } from '../protocol/query-input.js';
import { parseQueryInput, QUERY_NAMESPACES, xmlError, xmlResponse } from '../protocol/query-protocol.js';
import type { AwsResponse } from '../protocol/response.js';
import type { XmlValue } from '../protocol/xml.js';
import { authenticate, type Authenticated } from '../sigv4/authenticate.js';
import type { ServiceName } from '../operation-names.js';
import { STS_OPERATIONS } from '../sts/operations.js';
import type { Trail, TrailEvent } from '../trail/trail.js';
import { detectService, kmsOperationName } from './route.js';

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  sourceIp?: string;
}

export type HandlerResult = { kind: 'response'; response: AwsResponse } | { kind: 'reset' };

/** The handler of a KMS operation; `undefined` for a name the sandbox does not serve. */
function kmsHandler(operation: string): KmsHandler | undefined {
  return isOperationOf('kms', operation) ? KMS_OPERATIONS[operation] : undefined;
}

/** The handler of an STS or IAM action; `undefined` for a name the service does not serve. */
function queryHandler(service: 'sts' | 'iam', action: string): QueryHandler | undefined {
  if (service === 'sts') return isOperationOf('sts', action) ? STS_OPERATIONS[action] : undefined;
  return isOperationOf('iam', action) ? IAM_OPERATIONS[action] : undefined;
}

/** A path with a malformed %-escape is verified as sent (and fails like any bad request), never a crash. */
function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** A request on its way through the pipeline: what is known about it so far. */
interface Pending {
  requestId: string;
  service: ServiceName;
  operation: string;
  event: TrailEvent;
}

/**
 * The AWS-shaped request pipeline: route to a service and operation, verify SigV4, apply fault
 * rules, run the operation, and answer in the service's wire protocol. Every call, successful or
 * not, lands in the trail. A client's mistake is always an AWS error shape, never a crash.
 */
export class AwsRequestHandler {
  constructor(
    private readonly services: SandboxServices,
    private readonly trail: Trail,
  ) {}

  async handle(raw: RawRequest, url: URL): Promise<HandlerResult> {
    const requestId = newRequestId();
    const query = Object.fromEntries(url.searchParams.entries());
    let params: Map<string, string> | undefined;
    let service: ServiceName = detectService(raw.headers, undefined);
    const pending: Pending = {
      requestId,
      service,
      operation: 'Unknown',
      event: this.newEvent(requestId, service, 'Unknown', raw),
    };
    try {
      if (service !== 'kms') {
        params = parseQueryInput(raw.body, query, raw.headers['content-type']);
        service = detectService(raw.headers, params.get('Action'));
      }
      pending.service = service;
      pending.event.service = service;
      pending.operation = this.operationName(service, raw.headers, params);
      pending.event.operation = pending.operation;
      this.services.store.sweep(this.services.clock.now());
      const auth = await authenticate(
        { method: raw.method, path: decodePath(url.pathname), query, headers: raw.headers, body: raw.body },
        service,
        this.services.store,
        this.services.clock,
      );
      const result = await this.execute(pending, auth, raw, params);
      this.record(pending.event, 'success');
      return { kind: 'response', response: result };
    } catch (error) {
      return this.failure(pending, error);
    }
  }

  private operationName(
    service: ServiceName,
    headers: Record<string, string>,
    params: Map<string, string> | undefined,
  ): string {
    if (service === 'kms') {
      const name = kmsOperationName(headers['x-amz-target']);
      /* Listed names only: `TrentService.constructor` or `__proto__` must not reach Object.prototype. */
      if (name === undefined || kmsHandler(name) === undefined)
        throw new AwsError('UnknownOperationException');
      return name;
    }
    const action = params?.get('Action');
    const { version } = QUERY_NAMESPACES[service];
    if (action === undefined) throw new AwsError('MissingAction', 'Missing Action');
    const requested = params?.get('Version');
    if (requested === undefined)
      throw new AwsError('MissingParameter', 'The request must contain the parameter Version');
    if (queryHandler(service, action) === undefined || requested !== version) {
      throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${requested}`);
    }
    return action;
  }

  private async execute(
    pending: Pending,
    auth: Authenticated,
    raw: RawRequest,
    params: Map<string, string> | undefined,
  ): Promise<AwsResponse> {
    const { service, operation, requestId, event } = pending;
    event.region = auth.region;
    event.account = auth.caller.account;
    event.callerAccount = auth.caller.account;
    event.principalArn = auth.caller.arn;
    event.accessKeyId = auth.caller.accessKeyId;
    const context = new OperationContext(
      this.services,
      service,
      operation,
      auth.caller,
      auth.region,
      requestId,
      event,
      (ctx, target) => this.applyFaults(ctx, target),
    );
    await this.applyFaults(context, {});
    /* Precondition: operationName() accepted the name, so its service's table has a handler for it. */
    if (service === 'kms') {
      const input = new KmsInput(parseJsonInput(raw.body));
      return jsonResponse(requestId, await kmsHandler(operation)!(context, input));
    }
    const result = await queryHandler(service, operation)!(context, new QueryInput(params!));
    return xmlResponse(service, operation, requestId, result as XmlValue | undefined);
  }

  private async applyFaults(
    context: OperationContext,
    target: { account?: string; keyArn?: string },
  ): Promise<void> {
    const accounts = [context.caller.account, ...(target.account ? [target.account] : [])];
    const rules = this.services.faults.pick(
      {
        service: context.service,
        operation: context.operation,
        region: context.region,
        accounts,
        keyArn: target.keyArn,
      },
      context.firedFaults,
    );
    for (const rule of rules) await applyFaultEffect(context.service, rule);
  }

  private failure(pending: Pending, error: unknown): HandlerResult {
    if (error instanceof InjectedFault) {
      this.record(pending.event, 'fault', error.error);
      if (error.mode === 'reset') return { kind: 'reset' };
      return { kind: 'response', response: this.errorResponse(pending, error.error!) };
    }
    const awsError = isAwsError(error) ? error : this.internal(error);
    this.record(pending.event, 'error', awsError);
    return { kind: 'response', response: this.errorResponse(pending, awsError) };
  }

  /** An unexpected failure is the sandbox's bug: logged here, a bare 500 for the client. */
  private internal(error: unknown): AwsError {
    process.stderr.write(
      `keyward sandbox: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return new AwsError(
      'InternalFailure',
      'The request processing has failed because of an unknown error, exception or failure.',
      { status: 500 },
    );
  }

  private errorResponse(pending: Pending, error: AwsError): AwsResponse {
    if (pending.service === 'kms') return jsonError(pending.requestId, error);
    return xmlError(pending.service, pending.requestId, error);
  }

  private newEvent(requestId: string, service: ServiceName, operation: string, raw: RawRequest): TrailEvent {
    return {
      eventId: newRequestId(),
      eventTime: '',
      requestId,
      service,
      operation,
      region: '',
      account: '',
      resources: [],
      outcome: 'success',
      sourceIp: raw.sourceIp,
      userAgent: raw.headers['user-agent'],
    };
  }

  private record(event: TrailEvent, outcome: TrailEvent['outcome'], error?: AwsError): void {
    event.eventTime = new Date(this.services.clock.now()).toISOString();
    event.outcome = outcome;
    if (error) {
      event.errorCode = error.code;
      if (error.hasMessage) event.errorMessage = error.message;
    }
    this.trail.record(event);
  }
}
