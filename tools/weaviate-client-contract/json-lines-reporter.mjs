// A node:test reporter for the xUnit runner (WeaviateClientContractTests): one JSON line per top-level test with its
// file, name, outcome and, on failure, the error. A file that fails outside any test (a failing hook, a syntax error)
// comes as a failed entry named after the file, which the runner reports as an unknown test.
import path from 'node:path';

export default async function* jsonLines(source) {
  for await (const event of source) {
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.nesting !== 0) continue;
    const { name, file, details, skip, todo } = event.data;
    const error = details?.error;
    yield `${JSON.stringify({
      file: file ? path.basename(file) : null,
      name,
      outcome: skip || todo ? 'skipped' : event.type === 'test:pass' ? 'passed' : 'failed',
      error: error ? String(error.cause?.stack ?? error.cause ?? error.message ?? error) : null,
    })}\n`;
  }
}
