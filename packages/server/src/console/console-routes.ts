import { buildSetupKit, isKeywardError, KeywardError } from '@keyward/core';
import { withActor } from '../aws/request-actor.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, authorize } from '../http/authorize.js';
import { authenticate } from '../http/authenticate.js';
import { errorResponse } from '../http/error-response.js';
import { viewOf } from '../http/job-view.js';
import type { Principal } from '../services/api-tokens.js';
import { ConsoleSessions, type ConsoleSession } from '../services/console-sessions.js';
import type { Services } from '../services/services.js';
import type { TenantView } from '../services/tenants.js';
import { CONSOLE_CSS } from './assets-css.js';
import { CONSOLE_JS } from './assets-js.js';
import { cookieOf, sameOrigin, SESSION_COOKIE, sessionCookie } from '../http/cookies.js';
import { html, type Html } from './html.js';
import { page, type PageContext } from './layout.js';
import { platformPage } from './pages/platform.js';
import { setupPage } from './pages/setup.js';
import { signInPage } from './pages/sign-in.js';
import { statusPage } from './pages/status.js';
import { tenantsPage } from './pages/tenants.js';

/** Same-origin only, no inline script: the console's own assets and nothing else. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function send(reply: FastifyReply, status: number, body: Html): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CSP)
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .send(body.text);
}

function errorPage(
  reply: FastifyReply,
  context: PageContext | undefined,
  status: number,
  title: string,
  message: string,
): FastifyReply {
  return send(
    reply,
    status,
    page(
      title,
      context,
      html`<section class="card"><h1>${title}</h1><p>${message}</p><p><a href="/console">Back to the console</a></p></section>`,
    ),
  );
}

/**
 * The admin console (issue 7): server-rendered pages on the API's origin, with a small script. A
 * session cookie stands for the token signed in with; the pages apply the API's own authorization
 * table, and the script calls the JSON API with the cookie and the session's CSRF token.
 */
export function registerConsole(app: FastifyInstance, services: Services): void {
  const sessions = services.consoleSessions;
  const secure = (request: FastifyRequest) => request.protocol === 'https';

  app.get('/console/assets/console.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CONSOLE_CSS),
  );
  app.get('/console/assets/console.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(CONSOLE_JS),
  );

  app.get('/console/sign-in', async (_request, reply) =>
    send(reply, 200, page('Sign in', undefined, signInPage(undefined))),
  );
  app.post('/console/sign-in', async (request, reply) => {
    // No signing a visitor in from another site (login CSRF): the form must be this console's.
    if (!sameOrigin(request))
      return errorPage(reply, undefined, 403, 'Not allowed', "Sign in from this console's own page.");
    const token =
      typeof (request.body as { token?: unknown } | undefined)?.token === 'string'
        ? (request.body as { token: string }).token.trim()
        : '';
    const opened = await sessions.open(token);
    if (opened === undefined)
      return send(
        reply,
        401,
        page(
          'Sign in',
          undefined,
          signInPage('That token is not an operator or tenant-admin token, or it was revoked.'),
        ),
      );
    void reply.header('set-cookie', sessionCookie(opened.id, opened.session.expiresAt, secure(request)));
    return reply.redirect(home(opened.session), 303);
  });
  app.post('/console/sign-out', async (request, reply) => {
    if (!sameOrigin(request))
      return errorPage(reply, undefined, 403, 'Not allowed', "Sign out from this console's own page.");
    const id = cookieOf(request, SESSION_COOKIE);
    const session = await sessions.find(id);
    const csrf = (request.body as { csrf?: string } | undefined)?.csrf;
    if (session !== undefined && !ConsoleSessions.csrfMatches(session, csrf))
      return errorPage(
        reply,
        undefined,
        403,
        'Not allowed',
        'The form was not sent by this console (CSRF token missing or wrong).',
      );
    await sessions.close(id);
    void reply.header('set-cookie', sessionCookie('', new Date(0), secure(request)));
    return reply.redirect('/console/sign-in', 303);
  });

  /** Runs a page handler for a signed-in session, with the API's access rule for the page's tenant. */
  const pageRoute = (
    url: string,
    access: 'operator' | 'tenant-admin',
    render: (request: FastifyRequest, context: PageContext) => Promise<{ title: string; body: Html }>,
  ) => {
    app.get(url, async (request, reply) => {
      const session = await sessions.find(cookieOf(request, SESSION_COOKIE));
      if (session === undefined) return reply.redirect('/console/sign-in', 303);
      const context: PageContext = { principal: session.principal, csrfToken: session.csrfToken };
      try {
        authorize(access, session.principal, (request.params as { tenantId?: string }).tenantId);
        const { title, body } = await render(request, context);
        return send(reply, 200, page(title, context, body));
      } catch (error) {
        if (isKeywardError(error, 'KW_FORBIDDEN'))
          return errorPage(
            reply,
            context,
            403,
            'Not allowed',
            'This page belongs to another tenant, or needs the operator.',
          );
        if (isKeywardError(error, 'KW_TENANT_NOT_FOUND') || isKeywardError(error, 'KW_INVALID_TENANT_ID'))
          return errorPage(reply, context, 404, 'Not found', 'There is no such tenant.');
        request.log.error({ err: error }, 'console page failed');
        return errorPage(
          reply,
          context,
          500,
          'Something went wrong',
          'The page could not be shown. Try again; the server log has the details.',
        );
      }
    });
  };

  app.get('/console', async (request, reply) => {
    const session = await sessions.find(cookieOf(request, SESSION_COOKIE));
    return reply.redirect(session === undefined ? '/console/sign-in' : home(session), 303);
  });

  pageRoute('/console/tenants', 'operator', async (request) => {
    const filter = (request.query as { state?: string }).state || undefined;
    const tenants = await services.views.tenants(filter);
    return { title: 'Tenants', body: tenantsPage(tenants, filter) };
  });

  pageRoute('/console/platform', 'operator', async () => {
    const policy = await services.views.serviceRolePolicy();
    const keys = await services.views.rootKeys();
    const rotations = await services.jobs.list({ kind: 'platform.rotate-root', limit: 5 });
    return {
      title: 'Platform',
      body: platformPage({
        serviceRoleArn: policy.serviceRoleArn,
        roles: policy.registeredRoles,
        policies: policy.policies,
        rootKeys: keys,
        rotations: await Promise.all(rotations.map((job) => viewOf(job, services.jobs))),
      }),
    };
  });

  pageRoute('/console/tenants/:tenantId', 'tenant-admin', async (request, context) => {
    const { tenantId } = request.params as { tenantId: string };
    const tenant = await services.tenants.get(tenantId);
    const keys = await services.keys.list(tenantId);
    const jobs = await services.jobs.list({ tenantId, limit: 10 });
    const audit = await services.audit.list({ tenantId, limit: 15 });
    const { lastTestedAt } = await services.views.byokStatus(tenantId);
    return {
      title: tenant.name,
      body: statusPage({
        tenant,
        keys,
        audit: audit.events,
        jobs: await Promise.all(jobs.map((job) => viewOf(job, services.jobs))),
        lastTestedAt,
        healthIntervalSeconds: services.config.health.intervalSeconds,
        healthTimes: services.healthSchedule?.timesOf(tenantId) ?? { last: undefined, next: undefined },
        isOperator: context.principal.kind === 'operator',
      }),
    };
  });

  pageRoute('/console/tenants/:tenantId/setup', 'tenant-admin', async (request, context) => {
    const { tenantId } = request.params as { tenantId: string };
    let tenant = await services.tenants.get(tenantId);
    // The wizard's first step shows the External ID: one is issued when the tenant has none yet.
    if (tenant.byok.externalId === null) {
      const actor = actorOf(context.principal);
      await withActor(actor, () => services.tenants.issueExternalId(tenantId, actor));
      tenant = await services.tenants.get(tenantId);
    }
    const kit = kitOf(services, tenant, tenant.byok.externalId!);
    const { lastTest } = await services.views.byokStatus(tenantId);
    return {
      title: 'BYOK setup',
      body: setupPage(tenant, kit, lastTest, {
        cloudFormation: `/console/tenants/${tenantId}/setup/cloudformation.yaml`,
        terraform: `/console/tenants/${tenantId}/setup/keyward-byok.tf`,
      }),
    };
  });

  // The Test, streamed: one JSON line per check as it finishes, then the report (the page shows each as it runs).
  app.post('/console/tenants/:tenantId/test', async (request, reply) => {
    // The same rule as the API's cookie requests: a live session, its CSRF token, this origin.
    let principal: Principal | undefined;
    try {
      principal =
        request.headers.authorization === undefined ? await authenticate(services, request) : undefined;
      if (principal === undefined)
        return reply.code(401).send(new KeywardError('KW_UNAUTHENTICATED').toJSON());
      authorize('tenant-admin', principal, (request.params as { tenantId: string }).tenantId);
    } catch (error) {
      return reply.code(403).send((error as KeywardError).toJSON());
    }
    const { tenantId } = request.params as { tenantId: string };
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    const line = (value: unknown) => reply.raw.write(`${JSON.stringify(value)}\n`);
    try {
      const actor = actorOf(principal);
      const report = await withActor(actor, () =>
        services.lifecycle.test(tenantId, actor, (result) => line({ type: 'check', result })),
      );
      line({ type: 'report', report });
    } catch (error) {
      // The API's own error body: the catalogue decides what of AWS's answer a tenant may see.
      const response = errorResponse(error);
      if (response.unexpected) request.log.error({ err: error }, 'console test failed');
      line({ type: 'error', ...response.body });
    }
    reply.raw.end();
  });

  for (const [file, pick, type] of [
    ['cloudformation.yaml', 'cloudFormation', 'application/yaml'],
    ['keyward-byok.tf', 'terraform', 'text/plain'],
  ] as const) {
    app.get(`/console/tenants/:tenantId/setup/${file}`, async (request, reply) => {
      const session = await sessions.find(cookieOf(request, SESSION_COOKIE));
      if (session === undefined) return reply.redirect('/console/sign-in', 303);
      const { tenantId } = request.params as { tenantId: string };
      try {
        authorize('tenant-admin', session.principal, tenantId);
        const tenant = await services.tenants.get(tenantId);
        if (tenant.byok.externalId === null)
          return errorPage(
            reply,
            { principal: session.principal, csrfToken: session.csrfToken },
            409,
            'No External ID yet',
            'Open the setup page first.',
          );
        const kit = kitOf(services, tenant, tenant.byok.externalId);
        return reply
          .type(`${type}; charset=utf-8`)
          .header('content-disposition', `attachment; filename="keyward-byok-${tenantId}-${file}"`)
          .header('cache-control', 'no-store')
          .send(kit[pick]);
      } catch (error) {
        if (isKeywardError(error, 'KW_FORBIDDEN'))
          return errorPage(
            reply,
            { principal: session.principal, csrfToken: session.csrfToken },
            403,
            'Not allowed',
            'This belongs to another tenant.',
          );
        return errorPage(
          reply,
          { principal: session.principal, csrfToken: session.csrfToken },
          404,
          'Not found',
          'There is no such tenant.',
        );
      }
    });
  }
}

/** The setup kit for a tenant, filled in with its saved ARNs where there are any. */
function kitOf(services: Services, tenant: TenantView, externalId: string) {
  return buildSetupKit({
    platform: services.platform,
    tenantId: tenant.id,
    externalId,
    ...(tenant.byok.roleArn === null ? {} : { roleArn: tenant.byok.roleArn }),
    ...(tenant.byok.cmkArn === null ? {} : { keyArn: tenant.byok.cmkArn }),
  });
}

function home(session: ConsoleSession): string {
  return session.principal.kind === 'operator'
    ? '/console/tenants'
    : `/console/tenants/${session.principal.tenantId}/setup`;
}
