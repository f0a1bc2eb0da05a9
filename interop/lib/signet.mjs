// Starts a real `signet serve` on 127.0.0.1:0 with a fresh data directory, for interop tests.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
export const artifacts = join(repoRoot, 'interop', 'artifacts');
mkdirSync(artifacts, { recursive: true });

export const signetBin = process.env.SIGNET_TEST_BIN || join(repoRoot, 'target', 'debug', 'signet');

/** Cheap Argon2 for speed: these tests are about protocols and pages, not hashing cost. */
function env(dataDir, extra = {}) {
  return {
    ...process.env,
    SIGNET_DATA_DIR: dataDir,
    SIGNET_LISTEN: '127.0.0.1:0',
    SIGNET_ISSUER: 'http://localhost:8080',
    SIGNET_PASSWORD__MEMORY_KIB: '1024',
    SIGNET_PASSWORD__ITERATIONS: '1',
    SIGNET_PASSWORD__ALLOW_WEAK_PARAMS: 'true',
    SIGNET_LOG: 'warn',
    ...extra,
  };
}

/** A free loopback port (for tests whose issuer must equal the listening address). */
async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

export async function startSignet(extraEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-interop-'));
  if (extraEnv.SIGNET_ISSUER === 'auto' || extraEnv.SIGNET_ISSUER === 'auto-localhost') {
    // `auto-localhost`: a domain name, which WebAuthn needs (an IP address cannot be an RP id).
    const port = await freePort();
    const host = extraEnv.SIGNET_ISSUER === 'auto' ? '127.0.0.1' : 'localhost';
    extraEnv = { ...extraEnv, SIGNET_LISTEN: `127.0.0.1:${port}`, SIGNET_ISSUER: `http://${host}:${port}` };
  }
  const child = spawn(signetBin, ['serve'], { env: env(dataDir, extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signet did not start: ${stderr}`)), 15000);
    lines.on('line', (line) => {
      const m = line.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`signet exited ${code}: ${stderr}`)); });
  });
  return {
    base,
    issuer: extraEnv.SIGNET_ISSUER,
    dataDir,
    stderr: () => stderr,
    /** Runs the CLI against the same data directory. */
    cli(args, input = '') {
      const r = spawnSync(signetBin, args, { env: env(dataDir, extraEnv), input, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`signet ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** The .eml files Signet wrote under `dataDir/mail` (no SMTP configured), decoded enough to
 * read: quoted-printable soft breaks and `=3D`. */
export function mails(dataDir) {
  const dir = join(dataDir, 'mail');
  return (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='));
}

/** Waits (up to 10 s: the outbox worker runs every 2 s) for a mail matching `re` whose match
 * is not in `seen`; returns the match (its groups too). */
export async function mailed(dataDir, re, seen = new Set()) {
  for (let i = 0; i < 100; i++) {
    for (const text of mails(dataDir)) {
      const m = text.match(re);
      if (m && !seen.has(m[0])) { seen.add(m[0]); return m; }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail matching ${re}`);
}
