// A real upstream identity provider for Signet's federation tests (crates/signet/tests/it/
// federation.rs): node-oidc-provider, a certified OpenID Provider, on a loopback port; and,
// under /gh/, a fixture of GitHub's OAuth 2 endpoints following GitHub's documented shapes.
//
// Usage: UPSTREAM='{"client_id":…,"client_secret":…,"redirect_uris":[…]}' node server.mjs
// (with "pkjwt_client_id" and "jwks_uri" too: a second client that authenticates with
// private_key_jwt, its keys read from jwks_uri)
// Prints one line of JSON: {"issuer": "http://127.0.0.1:PORT"}.
//
// The test drives it through /_test/ (loopback only, this process is the test's):
//   POST /_test/next    {"sub", "claims": {…}, "userinfo": {…}?}  who signs in next (the
//                       interaction finishes at once: no login form)
//   POST /_test/tamper  {"claims": {…}?, "other_key": bool?}  the next token response's ID
//                       token re-signed with these claims changed, or with a key not in the JWKS
//   POST /_test/github-next {"user": {…}, "emails": […]}  GitHub's /user and /user/emails next
//   POST /_test/down    {"down": bool}  answer 503 to everything else (an upstream outage)
//   POST /_test/apple-next {"sub", "email", "name": {"firstName", "lastName"}}  who signs in
//                       next at the Sign in with Apple fixture under /apple/
//   GET  /_test/apple-key  the developer's private key (PKCS#8 PEM) Signet signs its client
//                       secret with
//
// Under /apple/, a fixture of Sign in with Apple's documented shape ("Authenticating users with
// Sign in with Apple", "Generate and validate tokens"): form_post answers; the client secret is
// an ES256 JWT from the developer's key (iss team id, sub client id, aud appleid.apple.com);
// `email_verified` and `is_private_email` are strings; the name is posted (`user`) on the first
// authorization only; no userinfo endpoint.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

const config = JSON.parse(process.env.UPSTREAM || '{}');
const server = http.createServer();
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const issuer = `http://127.0.0.1:${server.address().port}`;

const signing = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
Object.assign(signing, { kid: 'up-es256', alg: 'ES256', use: 'sig' });
const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

const accounts = new Map();
let next = null;
let tamper = null;
let github = { user: { id: 1, login: 'octo' }, emails: [] };
let down = false;
const githubCodes = new Map();
const appleDev = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const appleSigning = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
Object.assign(appleSigning, { kid: 'apple-1', alg: 'ES256', use: 'sig' });
let appleNext = null;
const appleSeen = new Set();
const appleCodes = new Map();

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: config.redirect_uris || [],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  }, ...(config.jwks_uri ? [{
    client_id: config.pkjwt_client_id,
    redirect_uris: config.redirect_uris || [],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks_uri: config.jwks_uri,
    id_token_signed_response_alg: 'ES256',
  }] : [])],
  jwks: { keys: [signing] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // Scope claims go into the ID token too (as Google's do), not only to userinfo.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'hd', 'tid', 'oid', 'xms_edov'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  findAccount: (ctx, sub) => {
    const a = accounts.get(sub);
    if (!a) return undefined;
    return {
      accountId: sub,
      // `use` is 'id_token' or 'userinfo': a test may make them disagree.
      claims: (use) => ({ sub, ...a.claims, ...(use === 'userinfo' ? a.userinfo || {} : {}) }),
    };
  },
  features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
  pkce: { required: () => true },
  // A test fixture on loopback: Signet's JWKS (private_key_jwt) is on 127.0.0.1, which the
  // provider's SSRF protection refuses by default.
  fetch: (url, options) => {
    const { dispatcher, ...rest } = options;
    void dispatcher;
    return fetch(url, rest);
  },
  ttl: { AccessToken: 3600, IdToken: 3600 },
  issueRefreshToken: () => true,
});
provider.proxy = false;
provider.on('grant.error', (ctx, err) => { if (process.env.UPSTREAM_DEBUG) console.error('grant.error', err, err.cause); });

// The tampering: after the token endpoint answers, its ID token is re-signed.
provider.use(async (ctx, nextMw) => {
  await nextMw();
  if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
    const t = tamper;
    tamper = null;
    const claims = { ...decodeJwt(ctx.body.id_token), ...(t.claims || {}) };
    const header = decodeProtectedHeader(ctx.body.id_token);
    const key = await importJWK(t.other_key ? { ...other, alg: 'ES256' } : signing, 'ES256');
    ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader(header).sign(key) };
  }
});

const callback = provider.callback();

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(data));
  });
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

// GitHub's OAuth 2 shape (docs.github.com, "Authorizing OAuth apps"; REST users and emails).
async function githubRoute(req, res, url) {
  if (url.pathname === '/gh/login/oauth/authorize') {
    const code = crypto.randomBytes(10).toString('hex');
    githubCodes.set(code, { ...github, redirect_uri: url.searchParams.get('redirect_uri') });
    const back = new URL(url.searchParams.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state'));
    res.writeHead(302, { location: back.toString() });
    return res.end();
  }
  if (url.pathname === '/gh/login/oauth/access_token' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const grant = githubCodes.get(form.get('code'));
    githubCodes.delete(form.get('code'));
    const json = (req.headers.accept || '').includes('application/json');
    // GitHub answers errors with 200, and form-encoded unless asked for JSON.
    const body = !grant || form.get('client_id') !== config.client_id || form.get('client_secret') !== config.client_secret
      ? { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' }
      : { access_token: `gho_${crypto.randomBytes(16).toString('hex')}`, token_type: 'bearer', scope: 'read:user,user:email' };
    if (grant) githubCodes.set(body.access_token, grant);
    return json ? send(res, 200, body) : send(res, 200, new URLSearchParams(body).toString(), 'application/x-www-form-urlencoded');
  }
  const token = (req.headers.authorization || '').replace(/^(Bearer|token) /, '');
  const grant = githubCodes.get(token);
  if (!grant) return send(res, 401, { message: 'Bad credentials' });
  if (url.pathname === '/gh/api/user') return send(res, 200, grant.user);
  if (url.pathname === '/gh/api/user/emails') return send(res, 200, grant.emails);
  return send(res, 404, { message: 'Not Found' });
}

function publicJwk(jwk) {
  const { d, ...pub } = jwk;
  void d;
  return pub;
}

async function appleRoute(req, res, url) {
  const apple = `${issuer}/apple`;
  if (url.pathname === '/apple/.well-known/openid-configuration') {
    return send(res, 200, {
      issuer: apple, authorization_endpoint: `${apple}/auth/authorize`, token_endpoint: `${apple}/auth/token`,
      jwks_uri: `${apple}/auth/keys`, response_types_supported: ['code'], response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'], id_token_signing_alg_values_supported: ['ES256'],
      scopes_supported: ['openid', 'email', 'name'], token_endpoint_auth_methods_supported: ['client_secret_post'],
    });
  }
  if (url.pathname === '/apple/auth/keys') return send(res, 200, { keys: [publicJwk(appleSigning)] });
  if (url.pathname === '/apple/auth/authorize') {
    const p = url.searchParams;
    if (p.get('response_mode') !== 'form_post' || !appleNext) return send(res, 400, { error: 'invalid_request' });
    const code = crypto.randomBytes(12).toString('hex');
    appleCodes.set(code, { ...appleNext, nonce: p.get('nonce'), challenge: p.get('code_challenge'), redirect_uri: p.get('redirect_uri') });
    const fields = { code, state: p.get('state') };
    // The name, once: on this person's first authorization of the app.
    if (!appleSeen.has(appleNext.sub)) fields.user = JSON.stringify({ name: appleNext.name, email: appleNext.email });
    appleSeen.add(appleNext.sub);
    const esc = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${esc(v)}">`).join('');
    return send(res, 200, `<!doctype html><form method="post" action="${esc(p.get('redirect_uri'))}">${inputs}</form><script>document.forms[0].submit()</script>`, 'text/html');
  }
  if (url.pathname === '/apple/auth/token' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const grant = appleCodes.get(form.get('code'));
    appleCodes.delete(form.get('code'));
    try {
      await jwtVerify(form.get('client_secret') || '', appleDev.publicKey, {
        issuer: 'TEAM123', audience: 'https://appleid.apple.com', subject: config.client_id, algorithms: ['ES256'],
      });
    } catch {
      return send(res, 400, { error: 'invalid_client' });
    }
    const verifier = form.get('code_verifier') || '';
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    if (!grant || grant.challenge !== challenge || grant.redirect_uri !== form.get('redirect_uri')) {
      return send(res, 400, { error: 'invalid_grant' });
    }
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({
      iss: apple, aud: config.client_id, sub: grant.sub, nonce: grant.nonce, iat: now, exp: now + 600,
      email: grant.email, email_verified: 'true', is_private_email: 'true', auth_time: now,
    }).setProtectedHeader({ alg: 'ES256', kid: 'apple-1' }).sign(await importJWK(appleSigning, 'ES256'));
    return send(res, 200, { access_token: crypto.randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 3600, refresh_token: crypto.randomBytes(16).toString('hex'), id_token: idToken });
  }
  return send(res, 404, { error: 'not_found' });
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname.startsWith('/_test/')) {
      const body = JSON.parse((await readBody(req)) || '{}');
      if (url.pathname === '/_test/next') {
        accounts.set(body.sub, { claims: body.claims || {}, userinfo: body.userinfo });
        next = body.sub;
      } else if (url.pathname === '/_test/tamper') {
        tamper = body;
      } else if (url.pathname === '/_test/github-next') {
        github = body;
      } else if (url.pathname === '/_test/down') {
        down = !!body.down;
      } else if (url.pathname === '/_test/apple-next') {
        appleNext = body;
      } else if (url.pathname === '/_test/apple-key') {
        return send(res, 200, { pem: appleDev.privateKey.export({ type: 'pkcs8', format: 'pem' }) });
      }
      return send(res, 200, { ok: true });
    }
    if (down) return send(res, 503, { error: 'temporarily_unavailable' });
    if (url.pathname.startsWith('/gh/')) return await githubRoute(req, res, url);
    if (url.pathname.startsWith('/apple/')) return await appleRoute(req, res, url);
    if (url.pathname.startsWith('/interaction/')) {
      // The person signs in at once, as whoever the test named, and grants what was asked.
      const { params } = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: next, clientId: params.client_id });
      grant.addOIDCScope(params.scope);
      const result = { login: { accountId: next }, consent: { grantId: await grant.save() } };
      return await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    return callback(req, res);
  } catch (e) {
    send(res, 500, { error: 'fixture_error', error_description: String(e) });
  }
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
