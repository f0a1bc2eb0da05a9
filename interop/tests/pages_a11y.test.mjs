// Every page Signet shows, in headless Chromium: axe-core (zero serious or critical violations)
// in light and dark mode, no horizontal scrolling at 390 px, and screenshots at 1280 and 390 px,
// light and dark, in English and German under interop/artifacts/pages/ (with axe-results.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startSignet, artifacts, repoRoot, mails, mailed } from '../lib/signet.mjs';
import { launch } from '../lib/browser.mjs';
import { pageChecker, assertClean } from '../lib/a11y.mjs';

const out = join(artifacts, 'pages');
mkdirSync(out, { recursive: true });
const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'a walk in the accessible park';

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for the code the user would read off their phone. */
function totp(base32) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/** The HTML part of a message, quoted-printable decoded (as a mail client would show it). */
function htmlPart(mail) {
  const at = mail.indexOf('Content-Type: text/html');
  if (at < 0) return null;
  const body = mail.slice(mail.indexOf('\r\n\r\n', at) + 4).split(/\r?\n--/)[0];
  const bytes = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '=' && /^[0-9A-F]{2}$/.test(body.slice(i + 1, i + 3))) { bytes.push(parseInt(body.slice(i + 1, i + 3), 16)); i += 2; }
    else bytes.push(...Buffer.from(body[i]));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The federation tests' upstream identity provider (interop/upstream), with a client for Signet. */
async function startUpstream(redirectUri) {
  const dir = join(repoRoot, 'interop', 'upstream');
  const client = { client_id: 'signet-at-upstream', client_secret: 'upstream-secret-0123456789abcdef', redirect_uris: [redirectUri] };
  const child = spawn(join(dir, 'node_modules', '.bin', 'node'), [join(dir, 'server.mjs')], {
    env: { ...process.env, UPSTREAM: JSON.stringify(client) }, stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  child.stdout.resume();
  const { issuer } = JSON.parse(line);
  const next = (sub, claims) => fetch(`${issuer}/_test/next`, { method: 'POST', body: JSON.stringify({ sub, claims }) });
  return { issuer, client, next, stop: () => child.kill() };
}

test('every page: axe_clean_light_and_dark, pages_fit_390px_without_horizontal_scroll, screenshots', async () => {
  const signet = await startSignet({
    SIGNET_ISSUER: 'auto-localhost', // a domain name, so the passkey parts of the pages show
    SIGNET_RATE_LIMIT__LOGIN_FAILURES_PER_IP: '1000',
    SIGNET_RATE_LIMIT__AUTH_REQUESTS_PER_IP_PER_MINUTE: '1000',
    SIGNET_BRANDING__SUPPORT_URL: 'mailto:help@example.com',
  });
  const base = signet.issuer;
  const results = [];
  const seen = new Set();
  const mailedLink = async (re) => (await mailed(signet.dataDir, re, seen))[0];
  const ctx = await launch();
  const anon = await launch();
  let stopUpstream = () => {};
  try {
    const app = JSON.parse(signet.cli([
      'client', 'create', '--name', 'Example Notes', '--grant', 'authorization_code,refresh_token',
      '--scope', 'openid email offline_access', '--redirect-uri', REDIRECT,
      '--post-logout-redirect-uri', 'https://app.example.com/bye', '--json',
    ]));
    // An upstream identity provider: its button on the login page, the link confirmation.
    const upstream = await startUpstream(`${base}/login/idp/acme-sso/callback`);
    stopUpstream = upstream.stop;
    signet.cli(['idp', 'add', 'acme-sso', '--preset', 'oidc', '--client-id', upstream.client.client_id,
      '--client-secret-file', '-', '--issuer', upstream.issuer, '--display-name', 'Acme SSO'], upstream.client.client_secret);
    const tv = JSON.parse(signet.cli(['client', 'create', '--name', 'Living Room TV', '--public', '--grant', 'device_code', '--scope', 'openid profile', '--json']));
    const authorizeUrl = () => `${base}/oauth2/authorize?` + new URLSearchParams({
      response_type: 'code', client_id: app.client_id, redirect_uri: REDIRECT, scope: 'openid email offline_access',
      state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSFZAbnk', code_challenge_method: 'S256',
    });

    const check = pageChecker(base, out, results);

    // Signed out.
    const a = await anon.newPage();
    await a.goto(`${base}/login`);
    await check(a, 'login');
    const wrong = async () => {
      await a.goto(`${base}/login`);
      await a.getByLabel(/^(Email|E-Mail)$/).fill('nobody@example.com');
      await a.locator('#password').fill('not the password');
      await a.locator('form[action="/login"] button[type=submit]').click();
    };
    await wrong(); await wrong();
    await check(a, 'login-error', wrong);
    const locked = async () => {
      for (let i = 0; i < 6; i++) await wrong();
    };
    await locked();
    await check(a, 'login-locked', wrong);
    await a.goto(`${base}/help/sign-in`);
    await check(a, 'help');
    // Password recovery: ask, the answer, the link from the mail (an .eml file: no SMTP here).
    signet.cli(['user', 'create', '--email', 'lost@example.com', '--password-stdin'], 'a forgotten passphrase\n');
    // Signing in with Acme SSO as the owner of an existing account: prove it first.
    await upstream.next('acme-lost', { email: 'lost@example.com', email_verified: true });
    const u = await anon.newPage();
    await u.goto(`${base}/login`);
    await u.locator('#idp-acme-sso').click();
    await u.waitForURL(/\/login\/idp\/confirm$/).catch(async (e) => { console.log('did not reach the link confirmation:', u.url()); throw e; });
    await check(u, 'upstream-confirm');
    await u.close();
    await a.goto(`${base}/recover`);
    await check(a, 'recover');
    const askLink = async () => {
      await a.goto(`${base}/recover`);
      await a.locator('#email').fill('lost@example.com');
      await a.locator('form[action="/recover"] button[type=submit]').click();
      await a.locator('#recover-sent').waitFor();
    };
    await askLink();
    await check(a, 'recover-sent', askLink);
    const link = await mailedLink(/\/recover\/sgn_rc_[A-Za-z0-9_-]+/);
    await a.goto(`${base}${link}`);
    await check(a, 'recover-reset');
    await a.goto(`${base}/recover/sgn_rc_expired`);
    await check(a, 'recover-invalid');
    await a.goto(`${base}/signup`);
    await check(a, 'signup');
    const short = async () => {
      await a.goto(`${base}/signup`);
      await a.locator('#email').fill('short@example.com');
      await a.locator('#password').fill('short');
      await a.locator('form[action="/signup"] button[type=submit]').click();
    };
    await short();
    await check(a, 'signup-error', short);
    await a.goto(`${base}/no-such-page`);
    await check(a, 'not-found');
    await a.goto(`${base}/oauth2/authorize?client_id=${app.client_id}&redirect_uri=https://evil.example/`);
    await check(a, 'authorize-error');
    await a.goto(authorizeUrl());
    await check(a, 'login-from-app');

    // Signed in.
    const p = await ctx.newPage();
    await p.route('https://app.example.com/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<p>app</p>' }));
    // Sign up: the same "check your inbox" page for every address, with the code form.
    const signup = async () => {
      await p.goto(`${base}/signup`);
      await p.locator('#email').fill('ann@example.com');
      await p.locator('#password').fill(PASSWORD);
      await p.locator('form[action="/signup"] button[type=submit]').click();
      await p.locator('#verify-sent').waitFor();
    };
    await signup();
    await check(p, 'signup-sent', signup);
    // The mailed link: its page, then its button (in another browser, as from a mail app).
    const verifyLink = await mailedLink(/\/verify-email\/sgn_ev_[A-Za-z0-9_-]+/);
    await a.goto(`${base}${verifyLink}`);
    await check(a, 'verify-link');
    await a.locator('main form button[type=submit]').click();
    await a.waitForURL(/notice=email_verified/);
    await check(a, 'login-verified');
    await a.goto(`${base}/verify-email`);
    await check(a, 'verify-code');
    await a.goto(`${base}/not-me/sgn_nm_expired`);
    await check(a, 'link-invalid');
    // The verification mail as a mail client shows it.
    const verifyMail = mails(signet.dataDir).find((m) => m.includes(verifyLink));
    const html = verifyMail && htmlPart(verifyMail);
    if (html) {
      const mp = await anon.newPage();
      await mp.setContent(html);
      await mp.setViewportSize({ width: 600, height: 700 });
      await mp.screenshot({ path: join(out, 'mail-verify-email-en-600-light.png'), fullPage: true });
      await mp.close();
    }
    await p.goto(`${base}/login`);
    await p.locator('#email').fill('ann@example.com');
    await p.locator('#password').fill(PASSWORD);
    await p.locator('form[action="/login"] button[type=submit]').click();
    await p.waitForURL(`${base}/account`);
    await p.goto(authorizeUrl());
    await p.waitForURL(/\/oauth2\/authorize/);
    await check(p, 'consent', () => p.goto(authorizeUrl()));
    await p.locator('button[value=allow]').click();
    await p.waitForURL(/^https:\/\/app\.example\.com\/cb/);
    await p.goto(`${base}/account`);
    await check(p, 'account');
    await p.goto(`${base}/account/identities`);
    await check(p, 'identities');
    await p.goto(`${base}/account/password`);
    await check(p, 'password');
    await p.goto(`${base}/account/profile`);
    await check(p, 'profile');
    const badPicture = async () => {
      await p.goto(`${base}/account/profile`);
      await p.locator('#p-picture').fill('http://not-https.example/me.png');
      await p.locator('form[action="/account/profile"] button[type=submit]').click();
      await p.locator('#profile-error').waitFor();
    };
    await badPicture();
    await check(p, 'profile-error', badPicture);
    await p.goto(`${base}/account/delete`);
    await check(p, 'delete');
    // An invitation to an organization: ann owns one and invites a new address through the
    // JSON API (as a page script would); the link's page for a new account, then a spent link.
    signet.cli(['org', 'create', 'acme', '--name', 'Acme Corp']);
    signet.cli(['org', 'member', 'add', 'acme', 'ann@example.com', '--role', 'owner']);
    await p.goto(`${base}/account`);
    const invited = await p.evaluate(async () => {
      const csrf = document.querySelector('input[name=csrf]').value;
      const r = await fetch('/api/v1/orgs/acme/invitations', {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ email: 'newbie@example.com' }),
      });
      return r.status;
    });
    assert.equal(invited, 201, 'invitation created');
    const inviteLink = await mailedLink(/\/invite\/sgn_iv_[A-Za-z0-9_-]+/);
    await a.goto(`${base}${inviteLink}`);
    await check(a, 'invite');
    await a.goto(`${base}/invite/sgn_iv_expired`);
    await check(a, 'invite-invalid');
    // The organization picker: a client that works only inside an organization, and ann in two.
    signet.cli(['org', 'create', 'globex', '--name', 'Globex']);
    signet.cli(['org', 'member', 'add', 'globex', 'ann@example.com']);
    const tenantApp = JSON.parse(signet.cli([
      'client', 'create', '--name', 'Team Board', '--grant', 'authorization_code', '--scope', 'openid',
      '--redirect-uri', REDIRECT, '--require-organization', '--skip-consent', '--json',
    ]));
    const pickUrl = () => `${base}/oauth2/authorize?` + new URLSearchParams({
      response_type: 'code', client_id: tenantApp.client_id, redirect_uri: REDIRECT, scope: 'openid',
      state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSFZAbnk', code_challenge_method: 'S256',
    });
    await p.goto(pickUrl());
    await p.locator('#org-list').waitFor();
    await check(p, 'pick-organization', () => p.goto(pickUrl()));
    await p.goto(`${base}/account/organizations`);
    await check(p, 'organizations');
    // The organization's own pages, as its owner sees them: members (with the role and invite
    // forms, and a refusal shown), roles (with the form to define one), groups.
    signet.cli(['api', 'create', '--identifier', 'https://docs.example.com', '--name', 'Docs',
      '--permission', 'read:docs', '--permission', 'write:docs']);
    signet.cli(['role', 'create', 'editor', '--api', 'https://docs.example.com', '--permission', 'read:docs',
      '--permission', 'write:docs', '--org', 'acme']);
    signet.cli(['org', 'member', 'add', 'acme', 'lost@example.com']);
    signet.cli(['role', 'grant', 'editor', '--user', 'lost@example.com', '--org', 'acme']);
    signet.cli(['org', 'group', 'create', 'acme', 'writers', '--description', 'The docs team']);
    signet.cli(['org', 'group', 'grant', 'acme', 'writers', 'editor']);
    signet.cli(['org', 'group', 'add', 'acme', 'writers', 'lost@example.com']);
    for (const [section, name] of [['members', 'org-members'], ['roles', 'org-roles'], ['groups', 'org-groups']]) {
      await p.goto(`${base}/org/acme/${section}`);
      await check(p, name);
    }
    const ownRoles = async () => {
      await p.goto(`${base}/org/acme/members`);
      await p.locator('select[name=role]').first().waitFor();
      await p.evaluate(() => {
        // Ann's own row has no forms: post the role form of another row with ann's subject
        // swapped in, as a crafted request would (the page shows the refusal).
        const f = document.querySelector('form select[name=role]').closest('form');
        // (`f.action` is the hidden input named "action": read the attribute.)
        const to = f.getAttribute('action').replace(/members\/[^/]+$/, 'members/' + document.querySelector('#org-members').dataset.me);
        f.setAttribute('action', to);
        f.submit();
      });
      await p.locator('#org-error').waitFor();
    };
    await ownRoles();
    await check(p, 'org-members-error', ownRoles);
    await p.goto(`${base}/oauth2/logout?client_id=${app.client_id}`);
    await check(p, 'logout-confirm');
    // A device asks; the user enters the code and confirms.
    const d = await (await fetch(`${signet.base}/oauth2/device_authorization`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: tv.client_id, scope: 'openid profile' }),
    })).json();
    await p.goto(`${base}/device`);
    await check(p, 'device');
    const confirm = async () => {
      await p.goto(`${base}/device?user_code=${encodeURIComponent(d.user_code)}`);
      await p.locator('form[action="/device"] button[type=submit]').click();
    };
    await confirm();
    await check(p, 'device-confirm', confirm);
    // Two-step verification: the security page (with a passkey from a virtual authenticator,
    // so its table is checked too), setting up an app, backup codes.
    const cdp = await ctx.newCDPSession(p);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    } });
    await p.goto(`${base}/account/security`);
    await p.locator('#passkey-add').click();
    await p.waitForURL(/notice=passkey_added/);
    // Gone again, so the sign-in below types a password (the authenticator would answer the
    // login page's passkey autofill at once).
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    await check(p, 'security');
    await p.locator('form[action="/account/security/totp"] button').click();
    await p.waitForURL(`${base}/account/security/totp`);
    await check(p, 'totp-setup');
    const secret = await p.locator('#totp-secret').textContent();
    await p.locator('#code').fill(totp(secret));
    await p.locator('form[action="/account/security/totp/confirm"] button').click();
    await p.locator('#backup-codes').waitFor();
    const newCodes = async () => {
      await p.goto(`${base}/account/security`);
      await p.locator('form[action="/account/security/backup-codes"] button').click();
      await p.locator('#backup-codes').waitFor();
    };
    await check(p, 'backup-codes', newCodes);
    await p.goto(`${base}/account/security`);
    await check(p, 'security-totp-on');
    // Sign out and in again: the second step.
    await p.goto(`${base}/account`);
    await p.locator('header form[action="/logout"] button').click();
    await p.waitForURL(/\/login/);
    await p.locator('#email').fill('ann@example.com');
    await p.locator('#password').fill(PASSWORD);
    await p.locator('form[action="/login"] button[type=submit]').click();
    await p.waitForURL(`${base}/login/second-factor`);
    await check(p, 'second-factor');

    writeFileSync(join(out, 'axe-results.json'), JSON.stringify(results, null, 2));
    assertClean(results);
    const pages = new Set(results.map((r) => r.page));
    assert.ok(pages.size >= 36, `${pages.size} pages checked`);
  } finally {
    stopUpstream();
    await ctx.close();
    await anon.close();
    await signet.stop();
  }
});
