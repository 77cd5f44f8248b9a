// Smoke check: Weaviate's own TypeScript client (weaviate-client 3.14.0, gRPC for queries) against the emulator.
// Starts the built emulator (dotnet build tools/Orchestra.WeaviateEmulator first) on free REST and gRPC ports,
// connects with connectToLocal and its default start-up checks (REST /v1/meta and the gRPC health check), runs one
// nearVector query and compares it with the emulator's GraphQL answer for the same vector.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import weaviate from 'weaviate-client';

const here = path.dirname(fileURLToPath(import.meta.url));
const dll = path.resolve(here, '../../Orchestra.WeaviateEmulator/bin/Debug/net10.0/Orchestra.WeaviateEmulator.dll');
let emulator;
let restUrl;
let grpcUrl;

before(async () => {
  emulator = spawn('dotnet', [dll, '--port', '0', '--grpc-port', '0', '--demo-objects', '200'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    emulator.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
    emulator.stdout.on('data', (chunk) => {
      out += chunk;
      restUrl = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      grpcUrl = /gRPC on (http:\/\/\S+)/.exec(out)?.[1];
      if (restUrl && grpcUrl) resolve();
    });
  });
});

after(() => emulator?.kill());

test('connectToLocal with its start-up checks, then nearVector matches GraphQL', async () => {
  const rest = new URL(restUrl);
  const client = await weaviate.connectToLocal({ host: rest.hostname, port: Number(rest.port), grpcPort: Number(new URL(grpcUrl).port) });
  try {
    assert.equal(await client.isReady(), true);
    const [first] = (await (await fetch(`${restUrl}/v1/objects?class=Memory&limit=1&include=vector`)).json()).objects;

    const result = await client.collections.get('Memory').query.nearVector(first.vector, { limit: 5, returnMetadata: ['distance'] });

    const graphql = await (await fetch(`${restUrl}/v1/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: `{ Get { Memory(nearVector: {vector: ${JSON.stringify(first.vector)}}, limit: 5) { _additional { id distance } } } }` }),
    })).json();
    const expected = graphql.data.Get.Memory;
    assert.equal(result.objects.length, 5);
    assert.equal(result.objects[0].uuid, first.id);
    assert.deepEqual(result.objects.map((o) => o.uuid), expected.map((h) => h._additional.id));
    result.objects.forEach((o, i) => assert.ok(Math.abs(o.metadata.distance - expected[i]._additional.distance) <= 1e-6));
    assert.equal(typeof result.objects[0].properties.content, 'string');
  } finally {
    await client.close();
  }
});
