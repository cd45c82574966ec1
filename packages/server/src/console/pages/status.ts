import type { AuditEvent } from '../../services/audit-log.js';
import type { TenantView } from '../../services/tenants.js';
import type { JobView } from '../../http/job-view.js';
import { html, type Html } from '../html.js';

export interface StatusData {
  tenant: TenantView;
  keys: {
    latestVersion: number;
    minEncryptionVersion: number;
    minDecryptionVersion: number;
    versions: Array<{ version: number; rootKeyId: string; createdAt: Date }>;
  };
  jobs: JobView[];
  audit: AuditEvent[];
  lastTestedAt: Date | null;
  healthIntervalSeconds: number;
  healthTimes: { last: Date | undefined; next: Date | undefined };
  isOperator: boolean;
}

const TONE: Record<string, string> = {
  active: 'ok',
  degraded: 'warn',
  revoked: 'bad',
  rotating_cmk: 'warn',
  reverting: 'warn',
  validated: 'idle',
  pending: 'idle',
  not_configured: 'idle',
  platform_managed: 'idle',
};

export const stateBadge = (state: string): Html =>
  html`<span class="badge ${TONE[state] ?? 'idle'}" data-state="${state}">${state.replaceAll('_', ' ')}</span>`;

/** A reason as a sentence: capitalized, with its full stop. */
const sentence = (text: string | null) =>
  text === null ? '' : `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

const when = (date: Date | null) =>
  date === null ? '—' : date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

/** A tenant's key status: state and why, the CMK, health checks, key versions, jobs and recent audit events. */
export function statusPage(data: StatusData): Html {
  const { tenant } = data;
  const byok = tenant.byok;
  const byokOn = ['active', 'degraded', 'revoked'].includes(byok.state);
  return html`
<h1>${tenant.name} ${stateBadge(byok.state)}</h1>
<p class="lead">Tenant <code>${tenant.id}</code></p>
${byok.state === 'revoked' ? html`<div class="notice bad" role="alert"><strong>Access to the customer's key is withdrawn.</strong> ${sentence(byok.stateReason)} Data stays unreadable until access is restored; nothing is lost.</div>` : ''}
${byok.state === 'degraded' ? html`<div class="notice" role="status"><strong>AWS is not answering.</strong> ${sentence(byok.stateReason)} Cached keys are served for the grace period, then requests fail closed.</div>` : ''}
<section class="card" aria-labelledby="key-h"><h2 id="key-h">Customer key</h2>
  <dl class="facts">
    <dt>State</dt><dd>${byok.state.replaceAll('_', ' ')} since ${when(byok.stateSince)}</dd>
    <dt>Reason</dt><dd>${byok.stateReason ?? '—'}</dd>
    <dt>CMK ARN</dt><dd>${byok.cmkArn ?? 'none (platform-managed key)'}</dd>
    <dt>Region</dt><dd>${byok.region ?? '—'}</dd>
    <dt>Role ARN</dt><dd>${byok.roleArn ?? '—'}</dd>
    <dt>Last test</dt><dd>${when(data.lastTestedAt)}</dd>
    <dt>Health checks</dt><dd>${byokOn ? (data.healthIntervalSeconds > 0 ? `every ${data.healthIntervalSeconds} s` : 'periodic checks are off on this server') : 'only while BYOK is on'}</dd>
    ${byokOn && data.healthIntervalSeconds > 0 ? html`<dt>Last check</dt><dd>${when(data.healthTimes.last ?? null)}</dd><dt>Next check</dt><dd>${when(data.healthTimes.next ?? null)} (by this server; every server checks)</dd>` : ''}
  </dl>
  <div class="row">
    ${byokOn ? html`<button type="button" class="btn" data-post="/v1/tenants/${tenant.id}/byok/check" data-status="action-status" data-working="Checking…">Check now</button>` : ''}
    <a class="btn" href="/console/tenants/${tenant.id}/setup">${byokOn ? 'Setup and test again' : 'Set up BYOK'}</a>
    <button type="button" class="btn" data-post="/v1/tenants/${tenant.id}/keys/rotate" data-status="action-status" data-working="Rotating…">Rotate tenant key</button>
    ${data.isOperator && byokOn ? html`<button type="button" class="btn danger" data-post="/v1/tenants/${tenant.id}/byok/revert" data-confirm="revert-dialog">Revert to the platform key…</button>` : ''}
    <span id="action-status" class="hint" aria-live="polite"></span>
  </div>
</section>
${
  byok.state === 'active'
    ? html`<section class="card" aria-labelledby="switch-h"><h2 id="switch-h">Switch to another CMK</h2>
  <p>Your keys are re-wrapped under the new CMK; no data is re-encrypted. The new configuration is tested first: nothing changes if the test fails. Add the key-policy statement from <a href="/console/tenants/${tenant.id}/setup#artifact-key-policy-statement">the setup page</a> to the new key, and the new key to the role's permissions policy, first.</p>
  <form id="switch-form" data-action="/v1/tenants/${tenant.id}/byok/switch-cmk" novalidate>
    <label for="switch-cmk">New CMK ARN</label>
    <input type="text" id="switch-cmk" name="cmkArn" data-arn="kms" autocomplete="off" spellcheck="false" aria-describedby="switch-cmk-error">
    <p id="switch-cmk-error" class="error" aria-live="polite"></p>
    <div class="row"><button type="submit" class="btn">Test and switch</button><span id="switch-status" class="hint" aria-live="polite"></span></div>
  </form>
  <ul id="switch-checks" class="checks" aria-live="polite"></ul>
</section>`
    : ''
}
${
  ['not_configured', 'pending', 'validated', 'platform_managed', 'active', 'degraded', 'revoked'].includes(
    byok.state,
  )
    ? html`<section class="card" aria-labelledby="extid-h"><h2 id="extid-h">External ID</h2>
  <p>Current External ID: <code>${byok.externalId ?? 'none yet'}</code></p>
  <div class="row"><button type="button" class="btn" data-post="/v1/tenants/${tenant.id}/byok/external-id" data-confirm="extid-dialog">Regenerate the External ID…</button></div>
</section>
<dialog id="extid-dialog" aria-labelledby="extid-title">
  <h2 id="extid-title">Regenerate the External ID?</h2>
  <p><strong>The role's trust policy must then change:</strong> until it names the new External ID, the platform cannot assume the role${byok.cmkArn === null ? '' : ', and the data cannot be read'}. The configuration must be tested again before BYOK can be enabled.</p>
  <div class="row"><button type="button" class="btn danger" data-post="/v1/tenants/${tenant.id}/byok/external-id" data-next="/console/tenants/${tenant.id}/setup" data-status="extid-status" data-working="Regenerating…">Regenerate</button><button type="button" class="btn" data-close>Cancel</button></div>
  <p id="extid-status" class="hint" aria-live="polite"></p>
</dialog>`
    : ''
}
<section class="card" aria-labelledby="versions-h"><h2 id="versions-h">Tenant key versions</h2>
  <p class="hint">Latest ${data.keys.latestVersion}; encryption floor ${data.keys.minEncryptionVersion === 0 ? 'none' : data.keys.minEncryptionVersion}; decryption floor ${data.keys.minDecryptionVersion}.</p>
  <table><thead><tr><th scope="col">Version</th><th scope="col">Wrapped by</th><th scope="col">Created</th></tr></thead>
  <tbody>${data.keys.versions.map((v) => html`<tr><td>${v.version}</td><td><code>${v.rootKeyId}</code></td><td>${when(v.createdAt)}</td></tr>`)}</tbody></table>
</section>
<section class="card" aria-labelledby="jobs-h"><h2 id="jobs-h">Jobs</h2>
  ${
    data.jobs.length === 0
      ? html`<p class="empty">No jobs yet.</p>`
      : html`<table><thead><tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Started</th></tr></thead><tbody>
  ${data.jobs.map((job) => html`<tr><td>${job.kind}</td><td>${job.state}${job.error === null ? '' : html`: ${job.error.message}`}</td><td><progress max="${Math.max(job.total, 1)}" value="${job.done}" aria-label="${job.kind} progress"${job.state === 'queued' || job.state === 'running' ? html` data-job="/v1/tenants/${tenant.id}/jobs/${job.id}"` : ''}></progress> <span data-job-count>${job.done}/${job.total}</span></td><td>${job.createdAt.replace('T', ' ').slice(0, 19)}</td></tr>`)}
  </tbody></table>`
  }
</section>
<section class="card" aria-labelledby="audit-h"><h2 id="audit-h">Recent audit events</h2>
  ${
    data.audit.length === 0
      ? html`<p class="empty">No events.</p>`
      : html`<table><thead><tr><th scope="col">When</th><th scope="col">Operation</th><th scope="col">Outcome</th><th scope="col">By</th></tr></thead><tbody>
  ${data.audit.map((event) => html`<tr><td>${when(event.at)}</td><td>${event.operation}</td><td>${event.outcome}</td><td>${event.actor}</td></tr>`)}
  </tbody></table>`
  }
</section>
${
  data.isOperator
    ? html`<dialog id="revert-dialog" aria-labelledby="revert-title">
  <h2 id="revert-title">Revert ${tenant.name} to the platform key?</h2>
  <p>The tenant's keys will be wrapped by the platform's key again: the customer's key no longer protects this data. This needs the customer's key one last time, and is audited.</p>
  <label for="revert-confirm">Type the tenant ID, <code>${tenant.id}</code>, to confirm</label>
  <input type="text" id="revert-confirm" data-expect="${tenant.id}" autocomplete="off">
  <div class="row"><button type="button" class="btn danger" data-post="/v1/tenants/${tenant.id}/byok/revert" data-typed="revert-confirm" data-status="revert-status" data-working="Reverting…">Revert</button><button type="button" class="btn" data-close>Cancel</button></div>
  <p id="revert-status" class="hint" aria-live="polite"></p>
</dialog>`
    : ''
}`;
}
