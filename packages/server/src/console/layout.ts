import type { Principal } from '../services/api-tokens.js';
import { html, type Html } from './html.js';

export interface PageContext {
  principal: Principal;
  csrfToken: string;
}

/** The console's page shell: header with who is signed in, navigation, and sign-out. */
export function page(title: string, context: PageContext | undefined, body: Html): Html {
  const who =
    context === undefined
      ? undefined
      : context.principal.kind === 'operator'
        ? 'Operator'
        : `Tenant admin · ${context.principal.tenantId}`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${context === undefined ? '' : html`<meta name="csrf-token" content="${context.csrfToken}">`}
<title>${title} · Keyward</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/console">Keyward</a>
  ${
    context === undefined
      ? ''
      : html`<nav aria-label="Main">
    ${context.principal.kind === 'operator' ? html`<a href="/console/tenants">Tenants</a><a href="/console/platform">Platform</a>` : html`<a href="/console/tenants/${context.principal.tenantId}">Key status</a><a href="/console/tenants/${context.principal.tenantId}/setup">BYOK setup</a>`}
  </nav>
  <form method="post" action="/console/sign-out" class="sign-out">
    <input type="hidden" name="csrf" value="${context.csrfToken}">
    <span class="who">${who}</span>
    <button type="submit" class="link">Sign out</button>
  </form>`
  }
</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`;
}
