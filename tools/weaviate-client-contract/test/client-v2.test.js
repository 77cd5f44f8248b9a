// Weaviate's older TypeScript client (weaviate-ts-client 2.2.0: REST + GraphQL) against the emulator: the schema and
// batch calls it makes, the same searches as the v3 suite through graphql.get(), data.checker (HEAD) and the nodes
// status. Every search answer is compared with the brute-force computation in support.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import weaviate from 'weaviate-ts-client';
import { startEmulator, makeObjects, classDefinition, nearest, bm25, hybrid, wordTokens } from './support.js';

const objects = makeObjects(30, 23);
const COSINE = 'ContractV2Cosine';
const L2 = 'ContractV2L2';
const query = [-0.1, 0.4, 0.2, -0.3, 0.6, 0.1, -0.2, 0.3];
let emulator;
let client;

before(async () => {
  emulator = await startEmulator();
  client = weaviate.client({ scheme: 'http', host: `${emulator.host}:${emulator.port}` });
});

after(() => emulator?.stop());

const close = (actual, expected, tolerance, what) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
const between = (hits, k) => (hits[k - 1].distance + hits[k].distance) / 2;

/** graphql.get() on a class with the given builder steps; returns the class's hits. */
async function get(className, fields, configure) {
  const result = await configure(client.graphql.get().withClassName(className).withFields(fields)).do();
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data.Get[className];
}
const hitIds = (hits) => hits.map((h) => h._additional.id);

test('schema.classCreator and batch.objectsBatcher load the classes; cluster.nodesStatusGetter counts them', async () => {
  for (const [name, metric] of [[COSINE, 'cosine'], [L2, 'l2-squared']]) {
    const created = await client.schema.classCreator().withClass(classDefinition(name, metric)).do();
    assert.equal(created.class, name);
    assert.equal(created.vectorIndexConfig.distance, metric);
    const results = await client.batch.objectsBatcher().withObjects(objects.map((o) => ({ class: name, ...o }))).do();
    assert.equal(results.length, objects.length);
    assert.ok(results.every((r) => r.result.status === 'SUCCESS'));
  }
  const status = await client.cluster.nodesStatusGetter().withClassName(COSINE).do();
  const shard = status.nodes[0].shards.find((s) => s.class === COSINE);
  assert.equal(shard.objectCount, objects.length);
  assert.equal(shard.loaded, true);
  assert.equal(status.nodes[0].status, 'HEALTHY');
});

test('data.checker: true for a stored object, false for an unknown id', async () => {
  assert.equal(await client.data.checker().withClassName(COSINE).withId(objects[3].id).do(), true);
  assert.equal(await client.data.checker().withClassName(COSINE).withId('9b2c6a1e-0000-4000-8000-000000000000').do(), false);
});

test('Get nearVector with a distance: brute-force ids, order, distances and certainty 1 − d/2', async () => {
  const expected = nearest(objects, 'cosine', query);
  const hits = await get(COSINE, 'title _additional { id distance certainty }',
    (g) => g.withNearVector({ vector: query, distance: between(expected, 11) }).withLimit(100));
  assert.deepEqual(hitIds(hits), expected.slice(0, 11).map((h) => h.id));
  hits.forEach((h, i) => {
    close(h._additional.distance, expected[i].distance, 1e-6, 'distance');
    close(h._additional.certainty, 1 - expected[i].distance / 2, 1e-6, 'certainty');
  });
});

test('Get nearVector with a certainty, and certainty refused on l2-squared with Weaviate\'s message', async () => {
  const expected = nearest(objects, 'cosine', query);
  const certainty = 1 - between(expected, 6) / 2;
  const hits = await get(COSINE, '_additional { id certainty }', (g) => g.withNearVector({ vector: query, certainty }).withLimit(100));
  assert.deepEqual(hitIds(hits), expected.slice(0, 6).map((h) => h.id));

  const l2 = nearest(objects, 'l2-squared', query);
  const l2Hits = await get(L2, '_additional { id distance }', (g) => g.withNearVector({ vector: query }).withLimit(10));
  assert.deepEqual(hitIds(l2Hits), l2.slice(0, 10).map((h) => h.id));
  l2Hits.forEach((h, i) => close(h._additional.distance, l2[i].distance, 1e-6, 'l2 distance'));
  await assert.rejects(
    client.graphql.get().withClassName(L2).withFields('_additional { id }').withNearVector({ vector: query, certainty: 0.8 }).do(),
    (e) => e.message.includes("can't compute and return certainty when vector index is configured with l2-squared distance"));
});

test('Get nearObject: the object first at distance 0, then its brute-force neighbours', async () => {
  const anchor = objects[17];
  const expected = nearest(objects, 'l2-squared', anchor.vector);
  const hits = await get(L2, '_additional { id distance }', (g) => g.withNearObject({ id: anchor.id }).withLimit(6));
  assert.deepEqual(hitIds(hits), expected.slice(0, 6).map((h) => h.id));
  hits.forEach((h, i) => close(h._additional.distance, expected[i].distance, 1e-6, 'distance'));
});

test('Get bm25 and hybrid: brute-force ids, order and scores', async () => {
  const keyword = bm25(objects, 'island echo', ['title', 'body', 'tag']);
  const bm25Hits = await get(COSINE, '_additional { id score }', (g) => g.withBm25({ query: 'island echo' }).withLimit(100));
  assert.deepEqual(hitIds(bm25Hits), keyword.map((h) => h.id));
  bm25Hits.forEach((h, i) => close(Number(h._additional.score), keyword[i].score, 1e-5, 'bm25 score'));

  const titleOnly = bm25(objects, 'jungle', ['title']);
  const titleHits = await get(COSINE, '_additional { id score }', (g) => g.withBm25({ query: 'jungle', properties: ['title'] }).withLimit(100));
  assert.deepEqual(hitIds(titleHits), titleOnly.map((h) => h.id));

  const fused = hybrid(objects, 'cosine', 'island echo', query, 0.6, ['title', 'body', 'tag']);
  const hybridHits = await get(COSINE, '_additional { id score }',
    (g) => g.withHybrid({ query: 'island echo', alpha: 0.6, vector: query }).withLimit(12));
  assert.deepEqual(hitIds(hybridHits), fused.slice(0, 12).map((h) => h.id));
  hybridHits.forEach((h, i) => close(Number(h._additional.score), fused[i].score, 1e-5, 'hybrid score'));
});

test('Get with where: And / Or of Equal, Like and GreaterThan, in insertion order', async () => {
  const cases = [
    [{ operator: 'And', operands: [
      { path: ['rank'], operator: 'GreaterThan', valueInt: 8 },
      { path: ['tag'], operator: 'Equal', valueText: 'green' }] },
    (o) => o.properties.rank > 8 && o.properties.tag === 'green'],
    [{ operator: 'Or', operands: [
      { path: ['title'], operator: 'Like', valueText: 'ch*' },
      { path: ['price'], operator: 'GreaterThan', valueNumber: 75.5 }] },
    (o) => wordTokens(o.properties.title).some((t) => t.startsWith('ch')) || o.properties.price > 75.5],
  ];
  for (const [where, matches] of cases) {
    const expected = objects.filter(matches).map((o) => o.id);
    assert.ok(expected.length > 0 && expected.length < objects.length, 'a filter that selects some objects');
    assert.deepEqual(hitIds(await get(COSINE, '_additional { id }', (g) => g.withWhere(where).withLimit(100))), expected);
  }
});

test('schema.classDeleter removes a class: its objects are gone and the class getter fails', async () => {
  await client.schema.classDeleter().withClassName(L2).do();
  await assert.rejects(client.schema.classGetter().withClassName(L2).do(), /404/);
  assert.equal(await client.data.checker().withClassName(L2).withId(objects[0].id).do(), false);
  assert.ok((await client.schema.getter().do()).classes.every((c) => c.class !== L2));
});
