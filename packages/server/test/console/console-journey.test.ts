import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { CUSTOMER_ACCOUNT_ID, PLATFORM_ACCOUNT_ID } from '@keyward/sandbox';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { applyKit, createCustomerKey, startHarness, type Harness } from '../http/harness.js';
import { BACKENDS } from '../store/backends.js';

/**
 * Issue 7: the admin console in headless Chromium (Debian's, never a downloaded one), against an
 * embedded server and the sandbox: a tenant admin goes through BYOK setup by copying what the
 * console shows into the customer's account, then watches the key's status as the customer
 * disables and re-enables it. Screenshots of each screen go to docs/screenshots.
 */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/screenshots');
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true')
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);

describe.skipIf(!available)('admin console in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  const customer = () => clients(h.box, h.box.credentials(CUSTOMER_ACCOUNT_ID));

  beforeAll(async () => {
    h = await startHarness(BACKENDS[0]!);
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Without these, Chromium keeps trying hosts this closed network refuses.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signedIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    const page = await context.newPage();
    await page.goto(`${h.url}/console`);
    await page.getByLabel('API token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return { context, page };
  }

  /** Clicks a copy button and reads what it put on the clipboard. */
  async function copied(page: Page, label: string): Promise<string> {
    await page.getByRole('button', { name: `Copy ${label}` }).click();
    return page.evaluate(() => navigator.clipboard.readText());
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });

  it(
    'a tenant admin sets BYOK up from what the console shows, tests, enables, and sees revocation and recovery',
    { timeout: 120_000 },
    async () => {
      const acme = await h.tenant('acme');
      const { context, page } = await signedIn(acme.adminToken);
      try {
        await expect.poll(() => page.url()).toBe(`${h.url}/console/tenants/acme/setup`);
        const serviceRoleArn = await copied(page, 'Service Role ARN');
        expect(serviceRoleArn).toBe(h.server.services.platform.serviceRoleArn);
        const externalId = await copied(page, 'External ID');
        expect(externalId).toMatch(/^kw-/);
        await shot(page, 'console-setup');

        // The ARNs: checked as they are typed; the form saves only valid ones.
        const cmkArn = await createCustomerKey(h.box);
        const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/keyward-byok-acme`;
        await page.getByLabel('Role ARN', { exact: true }).fill('arn:aws:iam::123:role/x');
        await expect.poll(() => page.locator('#roleArn-error').textContent()).toContain('IAM role ARN');
        expect(await page.getByRole('button', { name: 'Save ARNs' }).isDisabled()).toBe(true);
        await page.getByLabel('Role ARN', { exact: true }).fill(roleArn);
        await page.getByLabel('CMK ARN', { exact: true }).fill(cmkArn);
        await page.getByRole('button', { name: 'Save ARNs' }).click();
        await page.waitForLoadState('load');
        await expect.poll(() => page.locator('#trust-policy').textContent()).toContain(externalId);

        // The customer applies the documents verbatim, as copied from the page.
        const trust = await copied(page, 'Trust policy of the role');
        const permissions = await copied(page, 'Permissions policy of the role');
        const statement = await copied(page, "Statement to add to the CMK's key policy");
        await customer().iam.send(
          new CreateRoleCommand({ RoleName: 'keyward-byok-acme', AssumeRolePolicyDocument: trust }),
        );
        await customer().iam.send(
          new PutRolePolicyCommand({
            RoleName: 'keyward-byok-acme',
            PolicyName: 'keyward-byok',
            PolicyDocument: permissions,
          }),
        );
        const admin = {
          Sid: 'KeyAdministrators',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:root` },
          Action: 'kms:*',
          Resource: '*',
        };
        await customer().kms.send(
          new PutKeyPolicyCommand({
            KeyId: cmkArn,
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [admin, JSON.parse(statement)] }),
          }),
        );

        await page.getByRole('button', { name: 'Test', exact: true }).click();
        await expect
          .poll(() => page.locator('#test-status').textContent(), { timeout: 30_000 })
          .toContain('Every check passed');
        const statuses = await page
          .locator('#checks li')
          .evaluateAll((items) => items.map((item) => item.className));
        expect(statuses.length).toBeGreaterThan(3);
        expect(statuses.filter((status) => status === 'fail')).toEqual([]);
        await shot(page, 'console-test-passed');

        await page.getByRole('button', { name: 'Enable BYOK…' }).click();
        const dialog = page.getByRole('dialog');
        await expect.poll(() => dialog.textContent()).toContain('the platform can no longer read your data');
        await shot(page, 'console-enable-confirm');
        await dialog.getByRole('button', { name: 'Enable BYOK' }).click();
        await page.waitForURL(`${h.url}/console/tenants/acme`);
        expect(await page.locator('h1 .badge').getAttribute('data-state')).toBe('active');
        await shot(page, 'console-status-active');

        // Data flows through the API.
        const written = await h.call('POST', '/v1/tenants/acme/encrypt', {
          token: acme.serviceToken,
          body: { items: [{ text: 'invoice 42' }] },
        });
        expect(written.status).toBe(200);

        // The customer disables the key: the status page says revoked, and why.
        await customer().kms.send(new DisableKeyCommand({ KeyId: cmkArn }));
        await page.getByRole('button', { name: 'Check now' }).click();
        await page.waitForLoadState('load');
        await expect.poll(async () => page.locator('h1 .badge').getAttribute('data-state')).toBe('revoked');
        expect(await page.getByRole('alert').textContent()).toMatch(/disabled/i);
        await shot(page, 'console-status-revoked');
        expect(
          (
            await h.call('POST', '/v1/tenants/acme/decrypt', {
              token: acme.serviceToken,
              body: { items: [{ ciphertext: written.body.results[0].ciphertext }] },
            })
          ).body.code,
        ).toBe('KW_BYOK_REVOKED');

        await customer().kms.send(new EnableKeyCommand({ KeyId: cmkArn }));
        await page.getByRole('button', { name: 'Check now' }).click();
        await page.waitForLoadState('load');
        await expect.poll(async () => page.locator('h1 .badge').getAttribute('data-state')).toBe('active');
        const read = await h.call('POST', '/v1/tenants/acme/decrypt', {
          token: acme.serviceToken,
          body: { encoding: 'utf8', items: [{ ciphertext: written.body.results[0].ciphertext }] },
        });
        expect(read.body.results[0]).toEqual({ ok: true, text: 'invoice 42' });

        // Switch to a second CMK the customer prepared: tested first, then the keys are re-wrapped.
        const next = await createCustomerKey(h.box, 'second CMK');
        await applyKit(
          h.box,
          (
            await h.call(
              'GET',
              `/v1/tenants/acme/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(next)}`,
            )
          ).body,
          { createRole: false },
        );
        await page
          .getByLabel('New CMK ARN', { exact: true })
          .fill('arn:aws:kms:us-east-1:444455556666:alias/not-a-key');
        await expect.poll(() => page.locator('#switch-cmk-error').textContent()).toContain('not an alias');
        await page.getByLabel('New CMK ARN', { exact: true }).fill(next);
        await page.getByRole('button', { name: 'Test and switch' }).click();
        await expect.poll(() => page.locator('dl.facts').textContent(), { timeout: 30_000 }).toContain(next);
        expect(await page.locator('h1 .badge').getAttribute('data-state')).toBe('active');
        const after = await h.call('POST', '/v1/tenants/acme/decrypt', {
          token: acme.serviceToken,
          body: { encoding: 'utf8', items: [{ ciphertext: written.body.results[0].ciphertext }] },
        });
        expect(after.body.results[0]).toEqual({ ok: true, text: 'invoice 42' });

        // A narrow window (a phone's width): nothing runs off the side of the page.
        await page.setViewportSize({ width: 390, height: 844 });
        for (const path of ['/console/tenants/acme/setup', '/console/tenants/acme']) {
          await page.goto(`${h.url}${path}`);
          expect(
            await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
            path,
          ).toBe(true);
        }
        await page.goto(`${h.url}/console/tenants/acme/setup`);
        await shot(page, 'console-setup-narrow');
      } finally {
        await context.close();
      }
    },
  );

  it(
    'a missing key-policy statement shows its remediation, linking to the statement to add',
    { timeout: 60_000 },
    async () => {
      const globex = await h.tenant('globex');
      const { context, page } = await signedIn(globex.adminToken);
      try {
        const cmkArn = await createCustomerKey(h.box);
        await page
          .getByLabel('Role ARN', { exact: true })
          .fill(`arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/keyward-byok-globex`);
        await page.getByLabel('CMK ARN', { exact: true }).fill(cmkArn);
        await page.getByRole('button', { name: 'Save ARNs' }).click();
        await page.waitForLoadState('load');
        await expect.poll(() => page.locator('#trust-policy').textContent()).toContain('keyward-service');
        await customer().iam.send(
          new CreateRoleCommand({
            RoleName: 'keyward-byok-globex',
            AssumeRolePolicyDocument: await copied(page, 'Trust policy of the role'),
          }),
        );
        await customer().iam.send(
          new PutRolePolicyCommand({
            RoleName: 'keyward-byok-globex',
            PolicyName: 'keyward-byok',
            PolicyDocument: await copied(page, 'Permissions policy of the role'),
          }),
        );
        // No key-policy statement: the key policy names the administrators only (not the account
        // root, which would delegate to the role's own IAM policy).
        const adminsOnly = {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin` },
          Action: 'kms:*',
          Resource: '*',
        };
        await customer().kms.send(
          new PutKeyPolicyCommand({
            KeyId: cmkArn,
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [adminsOnly] }),
          }),
        );
        await page.getByRole('button', { name: 'Test', exact: true }).click();
        await expect
          .poll(() => page.locator('#test-status').textContent(), { timeout: 30_000 })
          .toContain('Some checks failed');
        const failed = page.locator('#checks li.fail').first();
        expect(await failed.locator('.remediation').textContent()).toMatch(/key policy/i);
        expect(await failed.locator('.remediation a').getAttribute('href')).toBe(
          '#artifact-key-policy-statement',
        );
        expect(await page.getByRole('button', { name: 'Enable BYOK…' }).isDisabled()).toBe(true);
        await shot(page, 'console-test-failed');

        // Regenerating the External ID warns that the trust policy must change, then shows the new one.
        const before = await page.locator('#external-id').textContent();
        await page.goto(`${h.url}/console/tenants/globex`);
        await page.getByRole('button', { name: 'Regenerate the External ID…' }).click();
        const dialog = page.getByRole('dialog');
        expect(await dialog.textContent()).toContain('trust policy must then change');
        await dialog.getByRole('button', { name: 'Regenerate' }).click();
        await page.waitForURL(`${h.url}/console/tenants/globex/setup`);
        const regenerated = await page.locator('#external-id').textContent();
        expect(regenerated).toMatch(/^kw-/);
        expect(regenerated).not.toBe(before);
      } finally {
        await context.close();
      }
    },
  );

  it(
    "the operator sees every tenant; a tenant admin cannot open another tenant's pages",
    { timeout: 60_000 },
    async () => {
      const operator = await signedIn(h.server.operatorToken);
      try {
        await operator.page.waitForURL(`${h.url}/console/tenants`);
        const names = await operator.page.locator('table tbody tr td:first-child a').allTextContents();
        expect(names).toEqual(expect.arrayContaining(['Tenant acme', 'Tenant globex']));
        await operator.page.getByLabel('BYOK state').selectOption('active');
        await operator.page.getByRole('button', { name: 'Filter' }).click();
        await expect
          .poll(() => operator.page.locator('table tbody tr td:first-child a').allTextContents())
          .toEqual(['Tenant acme']);
        await shot(operator.page, 'console-operator-tenants');
        await operator.page.goto(`${h.url}/console/platform`);
        expect(await operator.page.locator('#service-role-policy-0').textContent()).toContain(
          'keyward-byok-acme',
        );
        // Rotate the platform key from the form: a malformed ARN is flagged as typed; the rotation's progress shows until it is done.
        const next = (
          await clients(h.box, h.box.credentials(PLATFORM_ACCOUNT_ID)).kms.send(
            new CreateKeyCommand({ Description: 'next platform key' }),
          )
        ).KeyMetadata!.Arn!;
        await operator.page.getByLabel('New platform key ARN').fill('not an arn');
        await expect
          .poll(() => operator.page.locator('#new-root-key-error').textContent())
          .toContain('KMS key or alias ARN');
        await operator.page.getByLabel('New platform key ARN').fill(next);
        await operator.page.getByRole('button', { name: 'Rotate the platform key' }).click();
        await expect
          .poll(
            async () => {
              await operator.page.reload();
              return operator.page.locator('#root-h ~ table').nth(1).textContent();
            },
            { timeout: 30_000 },
          )
          .toContain('succeeded');
        expect(await operator.page.locator('#root-h ~ table').first().textContent()).toMatch(
          new RegExp(`${next}\\s*current`),
        );
        await shot(operator.page, 'console-operator-platform');

        // Revert a tenant to the platform key: only after typing its ID.
        await operator.page.goto(`${h.url}/console/tenants/acme`);
        await operator.page.getByRole('button', { name: 'Revert to the platform key…' }).click();
        const dialog = operator.page.getByRole('dialog');
        await dialog.getByLabel('Type the tenant ID').fill('acm');
        await dialog.getByRole('button', { name: 'Revert', exact: true }).click();
        await expect
          .poll(() => dialog.locator('#revert-status').textContent())
          .toContain('Type acme to confirm');
        await dialog.getByLabel('Type the tenant ID').fill('acme');
        await dialog.getByRole('button', { name: 'Revert', exact: true }).click();
        await expect
          .poll(async () => operator.page.locator('h1 .badge').getAttribute('data-state'), {
            timeout: 30_000,
          })
          .toBe('platform_managed');
      } finally {
        await operator.context.close();
      }
      const acmeAdmin = (await h.call('POST', '/v1/tenants/acme/tokens', { body: { kind: 'tenant-admin' } }))
        .body.token as string;
      const tenant = await signedIn(acmeAdmin);
      try {
        const response = await tenant.page.goto(`${h.url}/console/tenants/globex`);
        expect(response?.status()).toBe(403);
        expect((await tenant.page.goto(`${h.url}/console/tenants`))?.status()).toBe(403);
        // The API refuses a state-changing call made with the cookie but without the CSRF token.
        const forged = await tenant.page.evaluate(
          async () =>
            (await fetch('/v1/tenants/acme/keys/rotate', { method: 'POST', credentials: 'same-origin' }))
              .status,
        );
        expect(forged).toBe(403);
      } finally {
        await tenant.context.close();
      }
    },
  );

  it(
    'works from the keyboard, shows where focus is, and its text has enough contrast (WCAG AA)',
    { timeout: 60_000 },
    async () => {
      const tenant = await h.tenant('keys-only');
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
      const page = await context.newPage();
      try {
        await page.goto(`${h.url}/console/sign-in`);
        // The first Tab reaches the skip link; a few more the token field; Enter submits.
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
        for (
          let presses = 0;
          presses < 5 && (await page.evaluate(() => document.activeElement?.id)) !== 'token';
          presses++
        )
          await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
        await page.keyboard.type(tenant.adminToken);
        await page.keyboard.press('Enter');
        await page.waitForURL(`${h.url}/console/tenants/keys-only/setup`);

        // Tab to the first copy button: it shows a focus outline, and Enter copies.
        for (let presses = 0; presses < 20; presses++) {
          await page.keyboard.press('Tab');
          if (await page.evaluate(() => document.activeElement?.getAttribute('data-copy'))) break;
        }
        expect(await page.evaluate(() => document.activeElement?.getAttribute('data-copy'))).toBe(
          'service-role-arn',
        );
        expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe(
          'none',
        );
        await page.keyboard.press('Enter');
        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
          h.server.services.platform.serviceRoleArn,
        );

        // Every form field has a label; every text colour meets 4.5:1 against its background.
        expect(
          await page.evaluate(() =>
            [...document.querySelectorAll('input:not([type=hidden])')]
              .filter((input) => (input as HTMLInputElement).labels?.length === 0)
              .map((input) => input.id),
          ),
        ).toEqual([]);
        const worst = await page.evaluate(() => {
          const rgb = (text: string) => (text.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
          const lum = ([r, g, b]: number[]) => {
            const [R, G, B] = [r!, g!, b!].map((v) => {
              const c = v / 255;
              return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
          };
          const background = (element: Element | null): number[] => {
            for (let node = element; node !== null; node = node.parentElement) {
              const color = getComputedStyle(node).backgroundColor;
              if (!/rgba\(.*, 0\)$/.test(color) && color !== 'transparent') return rgb(color);
            }
            return [255, 255, 255];
          };
          let min = { ratio: 21, text: '', measured: 0 };
          for (const element of document.querySelectorAll(
            'p, label, code, pre, h1, h2, a, button, span, dt, dd, td, th, li',
          )) {
            if (
              !(element as HTMLElement).offsetParent ||
              (element.textContent ?? '').trim() === '' ||
              (element as HTMLButtonElement).disabled
            )
              continue;
            const [a, b] = [lum(rgb(getComputedStyle(element).color)), lum(background(element))];
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            min.measured++;
            if (ratio < min.ratio)
              min = {
                ratio,
                text: `${element.tagName}: ${(element.textContent ?? '').trim().slice(0, 40)}`,
                measured: min.measured,
              };
          }
          return min;
        });
        expect(worst.measured).toBeGreaterThan(30);
        expect(worst.ratio, worst.text).toBeGreaterThanOrEqual(4.5);
      } finally {
        await context.close();
      }
    },
  );
});
