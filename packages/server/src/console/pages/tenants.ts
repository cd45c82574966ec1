import type { TenantView } from '../../services/tenants.js';
import { BYOK_STATES } from '../../store/byok-states.js';
import { html, type Html } from '../html.js';
import { stateBadge } from './status.js';

/** The operator's list of tenants, filterable by BYOK state. */
export function tenantsPage(tenants: TenantView[], filter: string | undefined): Html {
  return html`
<h1>Tenants</h1>
<p class="lead">Every tenant and its BYOK state.</p>
<form method="get" class="row" role="search">
  <label for="state" style="margin:0">BYOK state</label>
  <select id="state" name="state" style="width:auto">
    <option value="">all</option>
    ${BYOK_STATES.map((state) => html`<option value="${state}"${state === filter ? ' selected' : ''}>${state.replaceAll('_', ' ')}</option>`)}
  </select>
  <button type="submit" class="btn small">Filter</button>
</form>
<section class="card">
${
  tenants.length === 0
    ? html`<p class="empty">No tenants${filter === undefined ? '' : ' in this state'}.</p>`
    : html`<table><thead><tr><th scope="col">Tenant</th><th scope="col">State</th><th scope="col">CMK</th><th scope="col"></th></tr></thead><tbody>
${tenants.map((t) => html`<tr><td><a href="/console/tenants/${t.id}">${t.name}</a><br><code>${t.id}</code></td><td>${stateBadge(t.byok.state)}</td><td>${t.byok.cmkArn ?? '—'}</td><td><a href="/console/tenants/${t.id}/setup">Setup</a></td></tr>`)}
</tbody></table>`
}
</section>`;
}
