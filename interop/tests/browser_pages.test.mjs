// Sign up, sign out, sign in and manage sessions through Signet's real pages in headless
// Chromium. Screenshots go to interop/artifacts/ (CI artifacts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSignet, artifacts, mailed } from '../lib/signet.mjs';
import { launch } from '../lib/browser.mjs';

test('sign up, sign out, sign in and see sessions in Chromium', async () => {
  const signet = await startSignet();
  const ctx = await launch();
  try {
    const page = await ctx.newPage();
    const cspViolations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });

    await page.goto(`${signet.base}/signup`);
    await page.getByLabel('Email').fill('chromium@example.com');
    await page.getByLabel('Password').fill('a walk in the chromium park');
    await page.screenshot({ path: join(artifacts, 'signup.png') });
    await page.getByRole('button', { name: 'Create account' }).click();
    // "Check your inbox": the code from the mail, typed into the form on that page.
    await page.locator('#verify-sent').waitFor();
    const [, code] = await mailed(signet.dataDir, /Your code: (\d{6})/);
    await page.locator('#code').fill(code);
    await page.locator('form[action="/verify-email"] button.primary').click();
    await page.waitForURL(/\/login\?notice=email_verified/);
    await page.locator('#email').fill('chromium@example.com');
    await page.locator('#password').fill('a walk in the chromium park');
    await page.locator('form[action="/login"] button[type=submit]').click();
    await page.waitForURL(`${signet.base}/account`);
    assert.equal(await page.locator('#account-email').textContent(), 'chromium@example.com');

    // The stylesheet is served under our CSP (no inline styles, no scripts).
    const bg = await page.evaluate(() => getComputedStyle(document.querySelector('.card')).borderRadius);
    assert.equal(bg, '10px');

    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForURL(/\/login\?notice=signed_out/);
    assert.match(await page.locator('.notice').textContent(), /signed out/);

    // Wrong password: a clear message, no session.
    await page.getByLabel('Email').fill('chromium@example.com');
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    assert.match(await page.getByRole('alert').textContent(), /Incorrect email or password/);
    await page.screenshot({ path: join(artifacts, 'login-error.png') });

    await page.getByLabel('Password').fill('a walk in the chromium park');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${signet.base}/account`);
    const rows = page.locator('table tbody tr');
    assert.equal(await rows.count(), 1, 'the signed-out session is gone; one active session');
    assert.match(await rows.first().textContent(), /This session/);
    assert.match(await rows.first().textContent(), /Chrome/);
    await page.screenshot({ path: join(artifacts, 'account.png'), fullPage: true });

    // The session cookie is HttpOnly (dev mode on loopback: no Secure/__Host-).
    const cookies = await ctx.cookies(signet.base);
    const session = cookies.find((c) => c.name === 'signet_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Lax');

    // Change password: other sessions end, this one continues with a new id.
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByLabel('Current password').fill('a walk in the chromium park');
    await page.getByLabel('New password').fill('an even longer walk in the park');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(/\/account\?notice=password_changed/);
    const after = (await ctx.cookies(signet.base)).find((c) => c.name === 'signet_session');
    assert.notEqual(after.value, session.value);

    assert.deepEqual(cspViolations, []);
  } finally {
    await ctx.close();
    await signet.stop();
  }
});
