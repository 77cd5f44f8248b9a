// Weaviate's own TypeScript client v3 (weaviate-client 3.14.0: REST for data and schema, gRPC for every query) against
// the emulator. Every search answer is compared with a brute-force computation in this file's support module:
// ids, order, distances to 1e-6, certainty = 1 − d/2 on cosine, BM25 and hybrid scores to 1e-5.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import weaviate, { Filters } from 'weaviate-client';
import { startEmulator, rest, makeObjects, classDefinition, nearest, bm25, hybrid, wordTokens } from './support.js';

const objects = makeObjects(30);
const COSINE = 'ContractCosine';
const L2 = 'ContractL2';
const DOT = 'ContractDot';
const query = [0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.05, -0.1];
let emulator;
let client;

before(async () => {
  emulator = await startEmulator(['--demo-objects', '200']);
  for (const [name, metric] of [[COSINE, 'cosine'], [L2, 'l2-squared'], [DOT, 'dot']]) {
    await rest(emulator, 'POST', '/v1/schema', classDefinition(name, metric));
    const results = await rest(emulator, 'POST', '/v1/batch/objects', { objects: objects.map((o) => ({ class: name, ...o })) });
    assert.ok(results.every((r) => r.result.status === 'SUCCESS'));
  }
  client = await weaviate.connectToLocal({ host: emulator.host, port: emulator.port, grpcPort: emulator.grpcPort });
});

after(async () => {
  await client?.close();
  emulator?.stop();
});

const ids = (result) => result.objects.map((o) => o.uuid);
const close = (actual, expected, tolerance, what) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);

/** A distance halfway between the k-th and (k+1)-th nearest: a threshold no rounding can move an object across. */
const between = (hits, k) => (hits[k - 1].distance + hits[k].distance) / 2;

test('connectToLocal passes its start-up checks (REST meta, gRPC health) and nearVector on the demo data matches GraphQL', async () => {
  assert.equal(await client.isReady(), true);
  assert.equal((await client.getMeta()).version, '1.40.0');
  const [first] = (await rest(emulator, 'GET', '/v1/objects?class=Memory&limit=1&include=vector')).objects;
  const result = await client.collections.get('Memory').query.nearVector(first.vector, { limit: 5, returnMetadata: ['distance'] });
  const graphql = await rest(emulator, 'POST', '/v1/graphql', {
    query: `{ Get { Memory(nearVector: {vector: ${JSON.stringify(first.vector)}}, limit: 5) { _additional { id distance } } } }`,
  });
  const expected = graphql.data.Get.Memory;
  assert.equal(result.objects[0].uuid, first.id);
  assert.deepEqual(ids(result), expected.map((h) => h._additional.id));
  result.objects.forEach((o, i) => close(o.metadata.distance, expected[i]._additional.distance, 1e-6, 'distance'));
  assert.equal(typeof result.objects[0].properties.content, 'string');
});

test('fetchObjects lists in UUID order without a filter and in insertion order with one', async () => {
  const collection = client.collections.get(COSINE);
  const plain = await collection.query.fetchObjects({ limit: 7 });
  assert.deepEqual(ids(plain), objects.map((o) => o.id).sort().slice(0, 7));
  assert.deepEqual(plain.objects[0].properties, objects.find((o) => o.id === plain.objects[0].uuid).properties);

  const filtered = await collection.query.fetchObjects({ limit: 7, filters: collection.filter.byProperty('rank').greaterThan(10) });
  assert.deepEqual(ids(filtered), objects.slice(11, 18).map((o) => o.id));
});

test('nearVector with a distance: brute-force ids, order, distances and certainty 1 − d/2 (cosine)', async () => {
  const expected = nearest(objects, 'cosine', query);
  const max = between(expected, 12);
  const result = await client.collections.get(COSINE).query.nearVector(query, { distance: max, limit: 100, returnMetadata: ['distance', 'certainty'] });
  assert.deepEqual(ids(result), expected.slice(0, 12).map((h) => h.id));
  result.objects.forEach((o, i) => {
    close(o.metadata.distance, expected[i].distance, 1e-6, 'distance');
    close(o.metadata.certainty, 1 - expected[i].distance / 2, 1e-6, 'certainty');
  });
});

test('nearVector with a certainty: the objects with certainty at least that', async () => {
  const expected = nearest(objects, 'cosine', query);
  const certainty = 1 - between(expected, 9) / 2;
  const result = await client.collections.get(COSINE).query.nearVector(query, { certainty, limit: 100, returnMetadata: ['certainty'] });
  assert.deepEqual(ids(result), expected.slice(0, 9).map((h) => h.id));
  assert.ok(result.objects.every((o) => o.metadata.certainty >= certainty));
});

/** A non-cosine class: brute-force distances, and certainty refused with Weaviate's message. */
async function nonCosine(name, metric) {
  const expected = nearest(objects, metric, query);
  const collection = client.collections.get(name);
  const result = await collection.query.nearVector(query, { limit: 10, returnMetadata: ['distance'] });
  assert.deepEqual(ids(result), expected.slice(0, 10).map((h) => h.id));
  result.objects.forEach((o, i) => close(o.metadata.distance, expected[i].distance, 1e-6, 'distance'));
  await assert.rejects(collection.query.nearVector(query, { certainty: 0.7, limit: 10 }),
    (e) => e.message.includes(`can't compute and return certainty when vector index is configured with ${metric} distance`));
}

test('nearVector on l2-squared: brute-force distances, and certainty refused with Weaviate\'s message', () => nonCosine(L2, 'l2-squared'));

test('nearVector on dot: brute-force distances, and certainty refused with Weaviate\'s message', () => nonCosine(DOT, 'dot'));

test('nearObject: the object itself first at distance 0, then its brute-force neighbours', async () => {
  const anchor = objects[4];
  const expected = nearest(objects, 'l2-squared', anchor.vector);
  const result = await client.collections.get(L2).query.nearObject(anchor.id, { limit: 8, returnMetadata: ['distance'] });
  assert.equal(result.objects[0].uuid, anchor.id);
  assert.deepEqual(ids(result), expected.slice(0, 8).map((h) => h.id));
  result.objects.forEach((o, i) => close(o.metadata.distance, expected[i].distance, 1e-6, 'distance'));
});

test('bm25: brute-force ids, order and scores, over all text properties and over one with a boost', async () => {
  const collection = client.collections.get(COSINE);
  for (const [text, properties, options] of [
    ['apple harbor', ['title', 'body', 'tag'], {}],
    ['lemon lemon the falcon', ['title^2'], { queryProperties: ['title^2'] }],
  ]) {
    const expected = bm25(objects, text, properties);
    assert.ok(expected.length >= 3, `the data should match "${text}"`);
    const result = await collection.query.bm25(text, { ...options, limit: 100, returnMetadata: ['score'] });
    assert.deepEqual(ids(result), expected.map((h) => h.id), text);
    result.objects.forEach((o, i) => close(o.metadata.score, expected[i].score, 1e-5, `score of "${text}"`));
  }
});

test('hybrid (relative score fusion, alpha 0.4): brute-force ids, order and scores', async () => {
  const expected = hybrid(objects, 'cosine', 'garden kettle', query, 0.4, ['title', 'body', 'tag']);
  const result = await client.collections.get(COSINE).query.hybrid('garden kettle', { alpha: 0.4, vector: query, limit: 15, returnMetadata: ['score'] });
  assert.deepEqual(ids(result), expected.slice(0, 15).map((h) => h.id));
  result.objects.forEach((o, i) => close(o.metadata.score, expected[i].score, 1e-5, 'hybrid score'));
});

test('filters: and / or of equal, like and greaterThan, in insertion order', async () => {
  const collection = client.collections.get(COSINE);
  const f = collection.filter;
  const cases = [
    [Filters.and(f.byProperty('rank').greaterThan(5), f.byProperty('tag').equal('red')),
      (o) => o.properties.rank > 5 && o.properties.tag === 'red'],
    [Filters.or(f.byProperty('title').like('app*'), f.byProperty('price').greaterThan(80)),
      (o) => wordTokens(o.properties.title).some((t) => t.startsWith('app')) || o.properties.price > 80],
    [Filters.and(f.byProperty('tag').equal('blue'), Filters.or(f.byProperty('rank').greaterThan(20), f.byProperty('body').like('*ngle'))),
      (o) => o.properties.tag === 'blue' && (o.properties.rank > 20 || wordTokens(o.properties.body).some((t) => t.endsWith('ngle')))],
  ];
  for (const [filters, matches] of cases) {
    const expected = objects.filter(matches).map((o) => o.id);
    assert.ok(expected.length > 0 && expected.length < objects.length, 'a filter that selects some objects');
    assert.deepEqual(ids(await collection.query.fetchObjects({ filters, limit: 100 })), expected);
  }
  // A filter narrows a vector search too.
  const near = await collection.query.nearVector(query, { filters: f.byProperty('tag').equal('green'), limit: 100, returnMetadata: ['distance'] });
  assert.deepEqual(ids(near), nearest(objects.filter((o) => o.properties.tag === 'green'), 'cosine', query).map((h) => h.id));
});

test('aggregate.overAll: the count and the integer metrics of the objects', async () => {
  const collection = client.collections.get(COSINE);
  const result = await collection.aggregate.overAll({
    returnMetrics: collection.metrics.aggregate('rank').integer(['count', 'sum', 'minimum', 'maximum', 'mean']),
  });
  const ranks = objects.map((o) => o.properties.rank);
  assert.equal(result.totalCount, objects.length);
  assert.equal(result.properties.rank.count, ranks.length);
  assert.equal(result.properties.rank.sum, ranks.reduce((s, x) => s + x, 0));
  assert.equal(result.properties.rank.minimum, Math.min(...ranks));
  assert.equal(result.properties.rank.maximum, Math.max(...ranks));
  close(result.properties.rank.mean, ranks.reduce((s, x) => s + x, 0) / ranks.length, 1e-9, 'mean');
});

test('data.insert, data.exists and data.deleteById', async () => {
  const collection = client.collections.get(DOT);
  // Ten times the query: on a dot-product class the largest a·b is the nearest.
  const id = await collection.data.insert({ properties: { title: 'inserted here', rank: 99 }, vectors: query.map((x) => x * 10) });
  assert.equal(await collection.data.exists(id), true);
  const found = await collection.query.nearVector(query, { limit: 1, returnMetadata: ['distance'] });
  assert.equal(found.objects[0].uuid, id);
  assert.equal(found.objects[0].properties.title, 'inserted here');
  await collection.data.deleteById(id);
  assert.equal(await collection.data.exists(id), false);
  assert.equal((await collection.aggregate.overAll()).totalCount, objects.length);
});

test('API key: the right key works for REST and gRPC, a wrong one fails', async () => {
  const secured = await startEmulator(['--demo-objects', '20', '--api-key', 'contract-key']);
  try {
    const options = { host: secured.host, port: secured.port, grpcPort: secured.grpcPort };
    const right = await weaviate.connectToLocal({ ...options, authCredentials: new weaviate.ApiKey('contract-key') });
    try {
      assert.equal((await right.collections.get('Memory').query.fetchObjects({ limit: 3 })).objects.length, 3);
      assert.equal((await right.collections.get('Memory').aggregate.overAll()).totalCount, 20);
    } finally {
      await right.close();
    }
    await assert.rejects(
      weaviate.connectToLocal({ ...options, authCredentials: new weaviate.ApiKey('wrong-key') })
        .then((c) => c.collections.get('Memory').query.fetchObjects({ limit: 1 }).finally(() => c.close())),
      (e) => /401|invalid api key|unauthorized/i.test(e.message));
  } finally {
    secured.stop();
  }
});
