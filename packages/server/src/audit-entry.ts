/**
 * What happened, for whom, by whom: a state change, or a KMS/STS call made for a tenant. A leaf of
 * its own, so that the audited AWS ports (aws/) and the audit log (services/) share one shape
 * without either importing the other's folder.
 */
export interface AuditEntry {
  tenantId: string | null;
  actor: string;
  operation: string;
  outcome: 'success' | 'failure' | 'denied';
  /** Key ARN, encryption context, AWS request id, error code…; never key material. */
  details: Record<string, unknown>;
}
