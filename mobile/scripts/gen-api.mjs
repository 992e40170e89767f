// Generates the app's API types from the backend's committed contracts:
//   docs/openapi.json  -> types/api.ts (REST, used by openapi-fetch)
//   docs/asyncapi.json -> types/ws.ts  (the /ws frames)
// `--check` writes nothing and fails when a generated file differs (the types are stale).
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const here = dirname(fileURLToPath(import.meta.url));
const mobile = join(here, '..');
const docs = join(mobile, '..', 'docs');
const check = process.argv.includes('--check');
const HEADER = (source) =>
  `// GENERATED from ${source} by scripts/gen-api.mjs (npm run gen). Do not edit.\n\n`;

async function restTypes() {
  const schema = JSON.parse(await readFile(join(docs, 'openapi.json'), 'utf8'));
  return HEADER('docs/openapi.json') + astToString(await openapiTS(schema));
}

async function wsTypes() {
  // The AsyncAPI document's schemas are JSON Schema with #/components/schemas refs: the same
  // generator reads them when they are wrapped in an OpenAPI document with no paths.
  const asyncapi = JSON.parse(await readFile(join(docs, 'asyncapi.json'), 'utf8'));
  const wrapped = {
    openapi: '3.1.0',
    info: { title: asyncapi.info.title, version: asyncapi.info.version },
    paths: {},
    components: { schemas: asyncapi.components.schemas },
  };
  const names = Object.keys(asyncapi.components.schemas).sort();
  const aliases = names
    .map((name) => `export type ${name} = components['schemas']['${name}'];`)
    .join('\n');
  return `${HEADER('docs/asyncapi.json')}${astToString(await openapiTS(wrapped))}\n${aliases}\n`;
}

const outputs = [
  [join(mobile, 'types', 'api.ts'), await restTypes()],
  [join(mobile, 'types', 'ws.ts'), await wsTypes()],
];
let stale = 0;
for (const [file, text] of outputs) {
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current === text) continue;
  if (check) {
    console.error(`stale: ${file} differs from the backend's contract; run: npm run gen`);
    stale += 1;
  } else {
    await writeFile(file, text);
    console.log(`wrote ${file}`);
  }
}
process.exit(stale ? 1 : 0);
