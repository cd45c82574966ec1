import type { JobView } from '../../http/job-view.js';
import { html, type Html } from '../html.js';

export interface PlatformData {
  serviceRoleArn: string;
  roles: Array<{ tenantId: string; roleArn: string }>;
  policies: unknown[];
  rootKeys: Array<{ id: string; state: string; createdAt: Date }>;
  rotations: JobView[];
}

/** The operator's platform page: the Service Role's policy for every registered role (setup step 5), and the platform root key. */
export function platformPage(data: PlatformData): Html {
  return html`
<h1>Platform</h1>
<p class="lead">Service Role <code>${data.serviceRoleArn}</code></p>
<section class="card" aria-labelledby="policy-h"><h2 id="policy-h">Service Role policy (setup step 5)</h2>
  <p>Attach ${data.policies.length === 1 ? 'this document' : `these ${data.policies.length} documents`} to the Service Role: it may then assume every registered customer role, and no other.</p>
  ${data.roles.length === 0 ? html`<p class="empty">No customer role is registered yet.</p>` : html`<table><thead><tr><th scope="col">Tenant</th><th scope="col">Role ARN</th></tr></thead><tbody>${data.roles.map((role) => html`<tr><td>${role.tenantId}</td><td><code>${role.roleArn}</code></td></tr>`)}</tbody></table>`}
  ${data.policies.map((policy, index) => html`<div class="value"><pre id="service-role-policy-${index}">${JSON.stringify(policy, null, 2)}</pre><button type="button" class="btn small" data-copy="service-role-policy-${index}">Copy</button></div>`)}
</section>
<section class="card" aria-labelledby="root-h"><h2 id="root-h">Platform root key</h2>
  <table><thead><tr><th scope="col">Key</th><th scope="col">State</th><th scope="col">Since</th></tr></thead><tbody>
  ${data.rootKeys.map((key) => html`<tr><td><code>${key.id}</code></td><td>${key.state}</td><td>${key.createdAt.toISOString().slice(0, 19).replace('T', ' ')}</td></tr>`)}
  </tbody></table>
  <h3>Rotations</h3>
  ${
    data.rotations.length === 0
      ? html`<p class="empty">None yet.</p>`
      : html`<table><thead><tr><th scope="col">Started</th><th scope="col">State</th><th scope="col">Tenants</th></tr></thead><tbody>
  ${data.rotations.map((job) => html`<tr><td>${job.createdAt.slice(0, 19).replace('T', ' ')}</td><td>${job.state}${job.error === null ? '' : html`: ${job.error.message}`}</td><td><progress max="${Math.max(job.total, 1)}" value="${job.done}" aria-label="rotation progress"${job.state === 'queued' || job.state === 'running' ? html` data-job="/v1/jobs/${job.id}"` : ''}></progress> <span data-job-count>${job.done}/${job.total}</span></td></tr>`)}
  </tbody></table>`
  }
  <label for="new-root-key">New platform key ARN</label>
  <input type="text" id="new-root-key" data-arn-loose="kms" aria-describedby="new-root-key-error" placeholder="arn:aws:kms:us-east-1:111122223333:key/…" autocomplete="off" spellcheck="false">
  <p id="new-root-key-error" class="error" aria-live="polite"></p>
  <div class="row"><button type="button" class="btn" id="rotate-root" data-post="/v1/platform/root-key/rotate?wait=0" data-body-from="new-root-key" data-status="rotate-status" data-working="Starting the rotation…">Rotate the platform key</button><span id="rotate-status" class="hint" aria-live="polite"></span></div>
</section>`;
}
