// Client compatibility: the official @qdrant/js-client-rest 1.18.0 against `quiver serve`.
// Run from the repo root: node --test tests/compat/   (needs `npm install` in tests/compat once).
// QUIVER_BIN overrides the server binary (default build/quiver).
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
const DIM = 16;
const N = 2000;
const C = 'js_points';

let proc, dataDir, client, baseUrl;
const warnings = [];
const origWarn = console.warn;

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

async function waitReady(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`quiver exited with ${proc.exitCode} during start-up`);
    try {
      const r = await fetch(url + '/healthz');
      if (r.status === 200) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('quiver not ready in time');
}

// Deterministic data: mulberry32 PRNG, vectors rounded to float32.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const vec = () => Array.from(Float32Array.from({ length: DIM }, () => rand() * 2 - 1));
const VECTORS = new Map();
for (let id = 1; id <= N; id++) VECTORS.set(id, vec());
const payloadOf = (id) => ({ group: id % 10, name: `p${id}`, price: id * 0.5, tags: id % 3 === 0 ? ['three'] : [] });

const norm = (v) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const cosine = (a, b) => dot(norm(a), norm(b));

// Exact top-k by Cosine (higher is better), over an optional subset.
function bruteForce(query, limit, allowed = null, exclude = new Set()) {
  const scored = [];
  for (const [id, v] of VECTORS) {
    if (exclude.has(id) || (allowed && !allowed(id))) continue;
    scored.push([id, cosine(v, query)]);
  }
  scored.sort((x, y) => y[1] - x[1]);
  return scored.slice(0, limit);
}

function assertRanking(got, expected, query) {
  assert.equal(got.length, expected.length, `got ${got.map((p) => p.id)} expected ${expected.map((e) => e[0])}`);
  got.forEach((p, i) => {
    const trueScore = cosine(VECTORS.get(p.id), query);
    assert.ok(Math.abs(p.score - trueScore) < 1e-4, `id ${p.id}: score ${p.score} vs brute force ${trueScore}`);
    // position by position: the expected id, or one with the same score (ties aside)
    assert.ok(Math.abs(p.score - expected[i][1]) < 1e-4,
      `position ${i}: got ${p.id} (${p.score}), expected ${expected[i][0]} (${expected[i][1]})`);
  });
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `quiver binary not found at ${BIN}`);
  const port = await freePort();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-js-'));
  baseUrl = `http://127.0.0.1:${port}`;
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
    },
  });
  await waitReady(baseUrl, 20000);
  console.warn = (...args) => { warnings.push(args.join(' ')); origWarn(...args); };
  client = new QdrantClient({ url: baseUrl, checkCompatibility: true });
});

after(async () => {
  console.warn = origWarn;
  if (proc && proc.exitCode === null) {
    const exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    process.kill(proc.pid, 'SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10000))]);
    if (code === 'timeout') process.kill(proc.pid, 'SIGKILL');
    assert.equal(code, 0, 'quiver should exit 0 on SIGTERM');
  }
  if (dataDir && !process.env.QUIVER_KEEP_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('version check: GET / reports a compatible 1.19.0', async () => {
  const info = await client.versionInfo();
  assert.equal(info.version, '1.19.0');
  assert.match(info.commit, /^[0-9a-f]{40}$/);
  await new Promise((r) => setTimeout(r, 200)); // let the constructor's compatibility check finish
  assert.deepEqual(warnings.filter((w) => /version/i.test(w)), []);
});

test('create collection', async () => {
  assert.equal(await client.createCollection(C, { vectors: { size: DIM, distance: 'Cosine' } }), true);
  assert.deepEqual(await client.collectionExists(C), { exists: true });
  const info = await client.getCollection(C);
  assert.equal(info.config.params.vectors.size, DIM);
  assert.equal(info.config.params.vectors.distance, 'Cosine');
  const { collections } = await client.getCollections();
  assert.ok(collections.some((c) => c.name === C));
});

test('upsert 2000 points in batches with wait', async () => {
  for (let start = 1; start <= N; start += 250) {
    const points = [];
    for (let id = start; id < start + 250; id++) points.push({ id, vector: VECTORS.get(id), payload: payloadOf(id) });
    const res = await client.upsert(C, { wait: true, points });
    assert.equal(res.status, 'completed');
  }
  assert.deepEqual(await client.count(C, { exact: true }), { count: N });
  assert.equal((await client.getCollection(C)).points_count, N);
});

test('search (legacy route) equals brute force', async () => {
  const qr = rng(7);
  for (let k = 0; k < 5; k++) {
    const q = Array.from({ length: DIM }, () => qr() * 2 - 1);
    const res = await client.search(C, { vector: q, limit: 10 });
    assertRanking(res, bruteForce(q, 10), q);
    assert.deepEqual(res[0].payload, payloadOf(res[0].id)); // the JS client asks for payloads by default
  }
});

test('query equals brute force, with and without filter', async () => {
  const qr = rng(8);
  for (let k = 0; k < 5; k++) {
    const q = Array.from({ length: DIM }, () => qr() * 2 - 1);
    const res = await client.query(C, { query: q, limit: 10 });
    assertRanking(res.points, bruteForce(q, 10), q);
    const filtered = await client.query(C, {
      query: q, limit: 8, with_payload: true,
      filter: { must: [{ key: 'group', match: { value: 3 } }], must_not: [{ key: 'price', range: { gt: 900 } }] },
    });
    assertRanking(filtered.points, bruteForce(q, 8, (id) => id % 10 === 3 && id * 0.5 <= 900), q);
    for (const p of filtered.points) assert.equal(p.payload.group, 3);
  }
  const exact = await client.query(C, { query: VECTORS.get(5), limit: 3, params: { exact: true } });
  assert.equal(exact.points[0].id, 5);
  assert.ok(Math.abs(exact.points[0].score - 1) < 1e-4);
});

test('scroll through every page in id order', async () => {
  const ids = [];
  let offset;
  let pages = 0;
  do {
    const res = await client.scroll(C, { limit: 300, offset, with_payload: false });
    ids.push(...res.points.map((p) => p.id));
    offset = res.next_page_offset ?? undefined;
    pages++;
    assert.ok(pages < 50);
  } while (offset !== undefined);
  assert.equal(pages, Math.ceil(N / 300));
  assert.deepEqual(ids, Array.from({ length: N }, (_, i) => i + 1));
  const filtered = await client.scroll(C, { limit: 1000, filter: { must: [{ key: 'tags', match: { value: 'three' } }] } });
  assert.deepEqual(filtered.points.map((p) => p.id), Array.from({ length: Math.floor(N / 3) }, (_, i) => (i + 1) * 3));
});

test('payload operations', async () => {
  const get = async (id) => (await client.retrieve(C, { ids: [id], with_payload: true }))[0].payload;
  await client.setPayload(C, { wait: true, points: [10], payload: { extra: 'x', group: 99 } });
  assert.deepEqual(await get(10), { ...payloadOf(10), extra: 'x', group: 99 });
  await client.overwritePayload(C, { wait: true, points: [11], payload: { only: true } });
  assert.deepEqual(await get(11), { only: true });
  await client.deletePayload(C, { wait: true, points: [12], keys: ['name', 'tags'] });
  assert.deepEqual(await get(12), { group: 2, price: 6 });
  await client.clearPayload(C, { wait: true, points: [13] });
  assert.deepEqual((await get(13)) ?? {}, {});
  await client.setPayload(C, { wait: true, filter: { must: [{ has_id: [20, 21] }] }, payload: { flagged: true } });
  const flagged = await client.count(C, { exact: true, filter: { must: [{ key: 'flagged', match: { value: true } }] } });
  assert.equal(flagged.count, 2);
  const rec = await client.retrieve(C, { ids: [20], with_vector: true });
  assert.equal(rec[0].vector.length, DIM);
  const want = norm(VECTORS.get(20)); // Cosine collections store normalized vectors
  rec[0].vector.forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-5));
});

test('count with filter', async () => {
  const res = await client.count(C, { exact: true, filter: { must: [{ key: 'group', match: { any: [1, 2] } }] } });
  assert.equal(res.count, 399); // 400 points, less point 11 whose payload was overwritten above
});

test('recommend equals brute force of the average vector', async () => {
  const pos = [1, 2];
  const neg = [3];
  const avg = (ids) => Array.from({ length: DIM }, (_, i) => ids.reduce((s, id) => s + norm(VECTORS.get(id))[i], 0) / ids.length);
  const ap = avg(pos);
  const an = avg(neg);
  const q = ap.map((x, i) => 2 * x - an[i]); // avg(pos) + (avg(pos) - avg(neg))
  const res = await client.recommend(C, { positive: pos, negative: neg, limit: 5 });
  assertRanking(res, bruteForce(q, 5, null, new Set([...pos, ...neg])), q);
});

test('delete points by ids and by filter', async () => {
  let res = await client.delete(C, { wait: true, points: [1, 2, 3] });
  assert.equal(res.status, 'completed');
  assert.equal((await client.count(C, { exact: true })).count, N - 3);
  res = await client.delete(C, { wait: true, filter: { must: [{ key: 'group', match: { value: 7 } }] } });
  assert.equal(res.status, 'completed');
  assert.equal((await client.count(C, { exact: true })).count, N - 3 - N / 10);
  assert.deepEqual(await client.retrieve(C, { ids: [1, 7, 17, 4] }).then((r) => r.map((p) => p.id).sort((a, b) => a - b)), [4]);
});

test('aliases', async () => {
  assert.equal(await client.updateCollectionAliases({
    actions: [{ create_alias: { collection_name: C, alias_name: 'js_alias' } }],
  }), true);
  const { aliases } = await client.getAliases();
  assert.ok(aliases.some((a) => a.alias_name === 'js_alias' && a.collection_name === C));
  const own = await client.getCollectionAliases(C);
  assert.deepEqual(own.aliases, [{ alias_name: 'js_alias', collection_name: C }]);
  const viaAlias = await client.count('js_alias', { exact: true });
  assert.equal(viaAlias.count, (await client.count(C, { exact: true })).count);
  const q = VECTORS.get(100);
  const res = await client.search('js_alias', { vector: q, limit: 1 });
  assert.equal(res[0].id, 100);
  await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: 'js_alias' } }] });
  assert.ok(!(await client.getAliases()).aliases.some((a) => a.alias_name === 'js_alias'));
});

test('errors surface as client errors', async () => {
  await assert.rejects(client.getCollection('js_missing'), (err) => {
    assert.ok(err.status === 404 || /Not found|404/.test(String(err.message)), String(err));
    return true;
  });
  await assert.rejects(client.upsert(C, { wait: true, points: [{ id: 1, vector: [1, 2, 3] }] }), (err) => {
    assert.ok(err.status === 400 || /dimension|400/i.test(String(err.message)), String(err));
    return true;
  });
});

test('delete collection', async () => {
  assert.equal(await client.deleteCollection(C), true);
  assert.deepEqual(await client.collectionExists(C), { exists: false });
});
