// What both client suites share: starting the built emulator, a small deterministic data set, and brute-force
// answers (distances, BM25, hybrid fusion, filters) computed here, independently of the emulator, to compare with.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
// The xUnit runner (WeaviateClientContractTests) points at its own copy; by hand: dotnet build tools/Orchestra.WeaviateEmulator.
const dll = process.env.WEAVIATE_EMULATOR_DLL
  ?? path.resolve(here, '../../Orchestra.WeaviateEmulator/bin/Debug/net10.0/Orchestra.WeaviateEmulator.dll');

/** Starts the emulator on free REST and gRPC ports; resolves to { restUrl, grpcUrl, host, port, grpcPort, stop }. */
export async function startEmulator(extraArgs = []) {
  const child = spawn('dotnet', [dll, '--port', '0', '--grpc-port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const urls = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`emulator (${dll}) exited with ${code}: ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const restUrl = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const grpcUrl = /gRPC on (http:\/\/\S+)/.exec(out)?.[1];
      if (restUrl && grpcUrl) resolve({ restUrl, grpcUrl });
    });
  });
  const rest = new URL(urls.restUrl);
  return {
    ...urls,
    host: rest.hostname,
    port: Number(rest.port),
    grpcPort: Number(new URL(urls.grpcUrl).port),
    stop: () => child.kill(),
  };
}

/** A JSON request to the emulator's REST API that must succeed. */
export async function rest(emulator, method, route, body, apiKey) {
  const headers = { 'Content-Type': 'application/json' };
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  const response = await fetch(`${emulator.restUrl}${route}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// ------------------------------------------------------------------ data

/** mulberry32: the same numbers on every machine. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['apple', 'banana', 'cherry', 'delta', 'echo', 'falcon', 'garden', 'harbor', 'island', 'jungle', 'kettle', 'lemon'];
const TAGS = ['red', 'green', 'blue'];
export const DIMENSIONS = 8;

/**
 * `count` objects in insertion order: random UUIDs (so UUID order is not insertion order), 8-dimensional vectors,
 * a title and a body of random words, an int rank, a number price and a one-word tag.
 */
export function makeObjects(count, seed = 17) {
  const next = random(seed);
  const pick = (items) => items[Math.floor(next() * items.length)];
  const words = (min, max) => Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => pick(WORDS)).join(' ');
  const hex = (n) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  return Array.from({ length: count }, (_, i) => ({
    id: `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`,
    vector: Array.from({ length: DIMENSIONS }, () => Math.round((next() * 2 - 1) * 1000) / 1000),
    properties: { title: words(2, 4), body: words(3, 8), rank: i, price: Math.round(next() * 10000) / 100, tag: pick(TAGS) },
  }));
}

/** The class definition the suites create (vectorizer none, the given distance). */
export function classDefinition(name, distance) {
  return {
    class: name,
    vectorizer: 'none',
    vectorIndexConfig: { distance },
    properties: [
      { name: 'title', dataType: ['text'] },
      { name: 'body', dataType: ['text'] },
      { name: 'rank', dataType: ['int'] },
      { name: 'price', dataType: ['number'] },
      { name: 'tag', dataType: ['text'] },
    ],
  };
}

// ------------------------------------------------------------------ vectors

const dot = (a, b) => a.reduce((sum, x, i) => sum + x * b[i], 0);

/** Weaviate's distances: cosine 1 − cos, dot −a·b, l2-squared Σ(a−b)². */
export function distance(metric, a, b) {
  switch (metric) {
    case 'cosine': return 1 - dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    case 'dot': return -dot(a, b);
    case 'l2-squared': return a.reduce((sum, x, i) => sum + (x - b[i]) ** 2, 0);
    default: throw new Error(`no metric ${metric}`);
  }
}

/** Every object by ascending distance to `query` (ties by insertion order), optionally cut at `maxDistance`. */
export function nearest(objects, metric, query, maxDistance = Infinity) {
  return objects
    .map((o, index) => ({ id: o.id, index, distance: distance(metric, o.vector, query) }))
    .filter((h) => h.distance <= maxDistance)
    .sort((x, y) => x.distance - y.distance || x.index - y.index);
}

// ------------------------------------------------------------------ bm25, hybrid

const STOPWORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not',
  'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with']);
const tokens = (text) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/**
 * Weaviate's BM25 (BlockMax WAND, k1 1.2, b 0.75) over word-tokenized properties: per property
 * Σ_t idf·tf/(tf + k1·(1 − b + b·len/avgLen))·boost, summed over properties; idf = ln(1 + (N − n + ½)/(n + ½)) times the
 * term's count in the query, n = ⌊mean over the properties containing the term of its document frequency⌋.
 * Returns [{id, index, score}] with score > 0, best first, ties by insertion order.
 */
export function bm25(objects, query, properties) {
  const k1 = 1.2;
  const b = 0.75;
  const counts = new Map();
  for (const t of tokens(query).filter((t) => !STOPWORDS.has(t))) counts.set(t, (counts.get(t) ?? 0) + 1);
  const props = properties.map((p) => {
    const [name, boost] = p.split('^');
    const docs = objects.map((o) => tokens(o.properties[name]));
    return { docs, boost: boost ? Number(boost) : 1, avg: docs.reduce((s, d) => s + d.length, 0) / docs.length };
  });
  const idf = new Map();
  for (const [term, count] of counts) {
    const dfs = props.map((p) => p.docs.filter((d) => d.includes(term)).length).filter((df) => df > 0);
    if (dfs.length === 0) continue;
    const n = Math.floor(dfs.reduce((s, x) => s + x, 0) / dfs.length);
    idf.set(term, Math.log(1 + (objects.length - n + 0.5) / (n + 0.5)) * count);
  }
  return objects
    .map((o, index) => {
      let score = 0;
      for (const p of props) {
        const doc = p.docs[index];
        for (const [term, weight] of idf) {
          const tf = doc.filter((t) => t === term).length;
          if (tf > 0) score += weight * (tf / (tf + k1 * (1 - b + (b * doc.length) / p.avg))) * p.boost;
        }
      }
      return { id: o.id, index, score };
    })
    .filter((h) => h.score > 0)
    .sort((x, y) => y.score - x.score || x.index - y.index);
}

/**
 * Hybrid with relativeScoreFusion: the vector ranking (weight alpha, raw score −distance) and the BM25 ranking
 * (weight 1 − alpha), each min-max normalised to [0, 1] (all equal → 1), summed per object.
 */
export function hybrid(objects, metric, query, vector, alpha, properties) {
  const parts = [
    [alpha, nearest(objects, metric, vector).map((h) => ({ ...h, raw: -h.distance }))],
    [1 - alpha, bm25(objects, query, properties).map((h) => ({ ...h, raw: h.score }))],
  ];
  const fused = new Map();
  for (const [weight, hits] of parts) {
    if (weight === 0 || hits.length === 0) continue;
    const max = Math.max(...hits.map((h) => h.raw));
    const min = Math.min(...hits.map((h) => h.raw));
    for (const h of hits) {
      const normalized = max === min ? 1 : (h.raw - min) / (max - min);
      const entry = fused.get(h.id) ?? { id: h.id, index: h.index, score: 0 };
      entry.score += weight * normalized;
      fused.set(h.id, entry);
    }
  }
  return [...fused.values()].sort((x, y) => y.score - x.score || x.index - y.index);
}

/** Tokens of a text as a word-tokenized Weaviate property holds them. */
export const wordTokens = tokens;
