// The admin console (/admin) in headless Chromium: an administrator walks every page, each
// checked with axe-core in light and dark mode at 1280 and 390 px (English and German), without
// horizontal scrolling at 390 px, and screenshotted into interop/artifacts/admin/. The forms are
// used for real: a client registered (its secret shown once), its secret rotated with an
// overlap, an account disabled, an organization, an API and a role created; every form is a plain HTML form (no script needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSignet, artifacts } from '../lib/signet.mjs';
import { launch } from '../lib/browser.mjs';
import { pageChecker, assertClean } from '../lib/a11y.mjs';

const out = join(artifacts, 'admin');
mkdirSync(out, { recursive: true });
const PASSWORD = 'the operators own long passphrase';

test('admin console: every page axe-clean in light and dark, fits 390 px, screenshots', async () => {
  const signet = await startSignet({ SIGNET_ISSUER: 'auto', SIGNET_METRICS__ENABLED: 'true' });
  const base = signet.issuer;
  signet.cli(['user', 'create', '--email', 'root@example.com', '--password-stdin', '--admin'], `${PASSWORD}\n`);
  signet.cli(['user', 'create', '--email', 'ann@example.com', '--password-stdin'], `${PASSWORD}\n`);
  signet.cli(['client', 'create', '--name', 'Nightly Jobs', '--scope', 'jobs', '--json']);
  const results = [];
  const ctx = await launch();
  try {
    const p = await ctx.newPage();
    await p.goto(`${base}/login?return_to=/admin`);
    await p.locator('#email').fill('root@example.com');
    await p.locator('#password').fill(PASSWORD);
    await p.locator('form[action="/login"] button[type=submit]').click();
    await p.waitForURL(`${base}/admin`);

    const checkPage = pageChecker(base, out, results);
    const check = (name, reload) => checkPage(p, name, reload);

    await check('dashboard');
    await p.goto(`${base}/admin/users?q=example`);
    await check('users');
    await p.locator('#admin-users a', { hasText: 'ann@example.com' }).click();
    const annPage = p.url();
    await check('user');
    await p.locator('form:has(input[value=disable]) button').click();
    await p.locator('#admin-notice').waitFor();
    await check('user-disabled', () => p.goto(`${annPage}?notice=disabled`));
    await p.goto(`${base}/admin/clients`);
    await check('clients');
    // Register a client through the form: the secret is shown once.
    const register = async () => {
      await p.goto(`${base}/admin/clients`);
      await p.locator('#nc-name').fill('Example Notes');
      await p.locator('#nc-uris').fill('https://app.example.com/cb');
      await p.locator('form[action="/admin/clients"] button[type=submit]').click();
      await p.locator('#client-secret').waitFor();
    };
    await register();
    await check('client-secret', register);
    await p.locator('a', { hasText: /client|Client/ }).last().click();
    const clientPage = p.url();
    assert.match(clientPage, /\/admin\/clients\/[0-9a-f]{32}$/);
    await check('client');
    await p.locator('#rs-overlap').selectOption('3600');
    await p.locator('form:has(input[value=rotate]) button[type=submit]').click();
    await p.locator('#client-secret').waitFor();
    assert.match(await p.locator('main').innerText(), /\d{4}-\d{2}-\d{2}/, 'the overlap end is shown');
    // An organization, an API and a global role through their forms.
    await p.goto(`${base}/admin/organizations`);
    await p.locator('#no-name').fill('Acme Corporation');
    await p.locator('#no-slug').fill('acme');
    await p.locator('form[action="/admin/organizations"] button[type=submit]').click();
    await p.locator('#admin-notice').waitFor();
    assert.equal(await p.locator('#admin-orgs a[href="/org/acme"]').count(), 1);
    await check('organizations');
    await p.goto(`${base}/admin/roles`);
    await p.locator('#na-identifier').fill('https://docs.example.com');
    await p.locator('#na-name').fill('Documents');
    await p.locator('#na-permissions').fill('read:docs write:docs');
    await p.locator('form:has(input[value=api]) button[type=submit]').click();
    await p.locator('#admin-notice').waitFor();
    await p.locator('#nr-name').fill('reader');
    await p.locator('#nr-permissions').fill('read:docs');
    await p.locator('form:has(input[value=role]) button[type=submit]').click();
    await p.locator('#admin-notice').waitFor();
    assert.match(await p.locator('#admin-roles').innerText(), /reader/);
    await check('roles');
    await p.goto(`${base}/admin/keys`);
    await check('keys');
    await p.goto(`${base}/admin/audit`);
    await check('audit');
    await p.goto(`${base}/admin/audit?kind=client_secret_rotate`);
    assert.equal(await p.locator('#admin-events tbody tr').count(), 1);
    const csv = await p.request.get(`${base}/admin/audit/export.csv?kind=user_disable`);
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /^id,at,kind,actor/);

    writeFileSync(join(out, 'axe-results.json'), JSON.stringify(results, null, 2));
    assertClean(results);
    assert.equal(new Set(results.map((r) => r.page)).size, 11);
  } finally {
    await ctx.close();
    await signet.stop();
  }
});
