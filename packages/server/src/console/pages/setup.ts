import type { CheckReport, SetupKit } from '@keyward/core';
import type { TenantView } from '../../services/tenants.js';
import { html, type Html } from '../html.js';

/** A value or document with its copy button; `id` names the copy target (and the artifact anchor). */
function copyable(id: string, label: string, text: string, block = false): Html {
  return html`<div id="artifact-${id}">
    <label id="${id}-label">${label}</label>
    <div class="value">
      ${block ? html`<pre id="${id}" aria-labelledby="${id}-label">${text}</pre>` : html`<code id="${id}" aria-labelledby="${id}-label">${text}</code>`}
      <button type="button" class="btn small" data-copy="${id}" aria-label="Copy ${label}">Copy</button>
    </div>
  </div>`;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

function checks(report: CheckReport | null): Html {
  if (report === null) return html`<ul id="checks" class="checks" aria-live="polite"></ul>`;
  return html`<ul id="checks" class="checks" aria-live="polite">${report.results.map(
    (result) => html`<li class="${result.status}" data-check="${result.id}">
    <div><span class="status">${result.status}</span><strong>${result.title}</strong></div><p>${result.message}</p>
    ${result.remediation === null ? '' : html`<p class="remediation">Fix: ${result.remediation} ${result.artifact === null ? '' : html`<a href="#artifact-${result.artifact}">Go to the ${result.artifact.replaceAll('-', ' ')}</a>`}</p>`}
  </li>`,
  )}</ul>`;
}

/**
 * BYOK setup, the seed's steps in order: the values to copy, the customer's key, role and
 * policies, the CLI checks, the ARNs, the Test, and Enable behind a plain-words confirmation.
 */
export function setupPage(
  tenant: TenantView,
  kit: SetupKit,
  lastTest: CheckReport | null,
  downloads: { cloudFormation: string; terraform: string },
): Html {
  const id = tenant.id;
  const byokOn = ['active', 'degraded', 'revoked', 'rotating_cmk', 'reverting'].includes(tenant.byok.state);
  const canEnable = tenant.byok.state === 'validated';
  return html`
<h1>BYOK setup</h1>
<p class="lead">Encrypt ${tenant.name}'s data under a KMS key in your own AWS account. You keep control: disable or delete the key, and the platform can no longer read your data.</p>
${byokOn ? html`<div class="notice">BYOK is on for this tenant (${tenant.byok.state.replaceAll('_', ' ')}). <a href="/console/tenants/${id}">See the key status</a>.</div>` : ''}
<section class="card" aria-labelledby="s1"><h2 id="s1"><span class="step-no">1</span>Values to copy</h2>
  <p class="hint">Your role will trust the platform's Service Role, and only with this tenant's External ID.</p>
  ${copyable('service-role-arn', 'Service Role ARN', kit.values.serviceRoleArn)}
  ${copyable('external-id', 'External ID', kit.values.externalId)}
</section>
<section class="card" aria-labelledby="s2"><h2 id="s2"><span class="step-no">2</span>Your KMS key (CMK)</h2>
  <p>Use a symmetric customer managed key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) in your account, or create one, and note its key ARN.</p>
</section>
<section class="card" aria-labelledby="s3"><h2 id="s3"><span class="step-no">3</span>The IAM role and the key policy</h2>
  <p class="hint">${kit.values.placeholders ? 'Enter your Role ARN and CMK ARN below to fill in the placeholders.' : 'Filled in with the ARNs saved below.'}</p>
  ${copyable('trust-policy', 'Trust policy of the role', json(kit.trustPolicy), true)}
  ${copyable('permissions-policy', 'Permissions policy of the role', json(kit.permissionsPolicy), true)}
  ${copyable('key-policy-statement', "Statement to add to the CMK's key policy", json(kit.keyPolicyStatement), true)}
  <p class="hint">${kit.keyPolicyWarning}</p>
  <div class="row">
    <a class="btn" href="${downloads.cloudFormation}" download="keyward-byok-${id}.yaml">Download CloudFormation</a>
    <a class="btn" href="${downloads.terraform}" download="keyward-byok-${id}.tf">Download Terraform</a>
  </div>
</section>
<section class="card" aria-labelledby="s4"><h2 id="s4"><span class="step-no">4</span>Check it with the AWS CLI (optional)</h2>
  ${copyable('cli-assume-role', 'Assume the role as the platform would', kit.cliChecks.assumeRole, true)}
  ${copyable('cli-describe-key', 'Describe the key', kit.cliChecks.describeKey, true)}
</section>
<section class="card" aria-labelledby="s5"><h2 id="s5"><span class="step-no">5</span>Your Role ARN and CMK ARN</h2>
  <form id="config-form" data-action="/v1/tenants/${id}/byok/config" novalidate>
    <div id="artifact-role-arn"><label for="roleArn">Role ARN</label>
    <input type="text" id="roleArn" name="roleArn" data-arn="role" autocomplete="off" spellcheck="false" value="${tenant.byok.roleArn ?? ''}" placeholder="arn:aws:iam::444455556666:role/keyward-byok" aria-describedby="roleArn-error">
    <p id="roleArn-error" class="error" aria-live="polite"></p></div>
    <div id="artifact-cmk-arn"><label for="cmkArn">CMK ARN</label>
    <input type="text" id="cmkArn" name="cmkArn" data-arn="kms" autocomplete="off" spellcheck="false" value="${tenant.byok.cmkArn ?? ''}" placeholder="arn:aws:kms:us-east-1:444455556666:key/…" aria-describedby="cmkArn-error">
    <p id="cmkArn-error" class="error" aria-live="polite"></p></div>
    <div class="row"><button type="submit" class="btn primary"${byokOn ? ' disabled' : ''}>Save ARNs</button><span id="config-status" class="hint" aria-live="polite"></span></div>
  </form>
</section>
<section class="card" aria-labelledby="s6"><h2 id="s6"><span class="step-no">6</span>Test and enable</h2>
  <p>The test assumes your role with the External ID, checks that it cannot be assumed without it, and uses your key the way the platform will.</p>
  <div class="row">
    <button type="button" id="run-test" class="btn" data-action="/console/tenants/${id}/test"${tenant.byok.roleArn === null ? ' disabled' : ''}>Test</button>
    <button type="button" id="open-enable" class="btn primary" data-post="/v1/tenants/${id}/byok/enable" data-confirm="enable-dialog"${canEnable ? '' : ' disabled'}>Enable BYOK…</button>
    <span id="test-status" class="hint" aria-live="polite">${lastTest === null ? 'Not tested yet.' : lastTest.ok ? 'The last test passed.' : 'The last test failed: see the checks below.'}</span>
  </div>
  ${checks(lastTest)}
</section>
<dialog id="enable-dialog" aria-labelledby="enable-title">
  <h2 id="enable-title">Enable BYOK for ${tenant.name}?</h2>
  <p>From now on, ${tenant.name}'s data can only be read with your key. <strong>If you disable or delete the key, or remove the platform's access, the platform can no longer read your data</strong>, within the time published in the platform's documentation. Restoring access brings it back, with nothing lost; deleting the key loses the data for good.</p>
  <div class="row">
    <button type="button" class="btn primary" data-post="/v1/tenants/${id}/byok/enable" data-next="/console/tenants/${id}" data-status="enable-status" data-working="Enabling…">Enable BYOK</button>
    <button type="button" class="btn" data-close>Cancel</button>
  </div>
  <p id="enable-status" class="hint" aria-live="polite"></p>
</dialog>`;
}
