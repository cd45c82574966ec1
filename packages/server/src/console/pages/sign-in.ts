import { html, type Html } from '../html.js';

export function signInPage(error: string | undefined): Html {
  return html`
<section class="card" style="max-width:520px;margin:40px auto" aria-labelledby="sign-in-h">
  <h1 id="sign-in-h">Sign in to Keyward</h1>
  <p class="lead">Use the operator token, or a tenant-admin token of your tenant.</p>
  ${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
  <form method="post" action="/console/sign-in">
    <label for="token">API token</label>
    <input type="password" id="token" name="token" autocomplete="current-password" required>
    <div class="row"><button type="submit" class="btn primary">Sign in</button></div>
  </form>
</section>`;
}
