// The official @qdrant/js-client-rest 1.18.0 against `quiver serve` with API keys
// (docs/operations/security.md): the client's `apiKey` option works, a missing key gets 401 and the
// read-only key can search but not write (403). Run: node --test tests/compat/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QdrantClient } from '@qdrant/js-client-rest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.QUIVER_BIN || path.join(REPO, 'build', 'quiver');
const KEY = 'js-rw-key-123';
const RO_KEY = 'js-ro-key-456';
const C = 'js_auth';

let proc, dataDir, url;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `quiver binary not found at ${BIN}`);
  const port = await freePort();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-js-auth-'));
  url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dataDir, 'server.log'), 'a');
  proc = spawn(BIN, ['serve'], {
    cwd: dataDir,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      QUIVER__SERVICE__HOST: '127.0.0.1',
      QUIVER__SERVICE__HTTP_PORT: String(port),
      QUIVER__STORAGE__STORAGE_PATH: path.join(dataDir, 'storage'),
      QUIVER__STORAGE__SNAPSHOTS_PATH: path.join(dataDir, 'snapshots'),
      QUIVER__LOG_LEVEL: 'warn',
      QDRANT__SERVICE__API_KEY: KEY,
      QDRANT__SERVICE__READ_ONLY_API_KEY: RO_KEY,
    },
  });
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`quiver exited with ${proc.exitCode}`);
    try {
      if ((await fetch(url + '/healthz')).status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error('quiver not ready in time');
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    process.kill(proc.pid, 'SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10000))]);
    if (code === 'timeout') process.kill(proc.pid, 'SIGKILL');
    assert.equal(code, 0, 'quiver should exit 0 on SIGTERM');
  }
  if (dataDir && !process.env.QUIVER_KEEP_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
});

// The client warns about keys over plain HTTP; that is expected here.
const quiet = (opts) => new QdrantClient({ url, checkCompatibility: false, ...opts });

test('apiKey: read-write key writes and reads, no key is 401, read-only key cannot write', async () => {
  const origWarn = console.warn;
  console.warn = () => {};
  try {
    const admin = quiet({ apiKey: KEY });
    assert.equal(await admin.createCollection(C, { vectors: { size: 4, distance: 'Dot' } }), true);
    const up = await admin.upsert(C, {
      wait: true,
      points: [{ id: 1, vector: [1, 0, 0, 0], payload: { a: 1 } }, { id: 2, vector: [0, 1, 0, 0] }],
    });
    assert.equal(up.status, 'completed');

    await assert.rejects(quiet({}).getCollections(), (e) => e.status === 401);
    await assert.rejects(quiet({ apiKey: 'wrong' }).getCollections(), (e) => e.status === 401);

    const reader = quiet({ apiKey: RO_KEY });
    const hits = await reader.search(C, { vector: [1, 0, 0, 0], limit: 1 });
    assert.equal(hits[0].id, 1);
    assert.equal((await reader.count(C, {})).count, 2);
    await assert.rejects(reader.upsert(C, { wait: true, points: [{ id: 3, vector: [0, 0, 1, 0] }] }),
      (e) => e.status === 403);
    await assert.rejects(reader.deleteCollection(C), (e) => e.status === 403);
    assert.equal((await admin.count(C, {})).count, 2);
  } finally {
    console.warn = origWarn;
  }
});
