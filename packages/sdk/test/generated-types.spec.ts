import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startStandaloneForTest, StandaloneUnderTest } from '../../../test/support/standalone';

// The SDK's types are generated from the document the product's code serves; this regenerates
// them in memory from a product started here and fails when the committed file differs, so an API
// change cannot leave the SDK behind. Fix: node packages/sdk/scripts/generate-types.mjs
const SDK = resolve(__dirname, '..');
const run = promisify(execFile);

describe('the generated OpenAPI types of the SDK', () => {
  let product: StandaloneUnderTest;

  beforeAll(async () => {
    product = await startStandaloneForTest();
  }, 60_000);
  afterAll(() => product?.stop());

  it('equal what the live document generates (run scripts/generate-types.mjs when this fails)', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(SDK, 'scripts/generate-types.mjs'), '--from', product.url, '--stdout'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const committed = readFileSync(join(SDK, 'src/generated/openapi.ts'), 'utf8');
    expect(stdout.length).toBeGreaterThan(10_000);
    // Compared as text, but reported as the first differing line: a diff of 15,000 lines helps no one.
    const fresh = stdout.split('\n');
    const kept = committed.split('\n');
    const first = fresh.findIndex((line, i) => line !== kept[i]);
    const at = first === -1 && fresh.length !== kept.length ? Math.min(fresh.length, kept.length) : first;
    expect(
      at === -1
        ? 'same'
        : `line ${at + 1}: generated ${JSON.stringify(fresh[at])}, committed ${JSON.stringify(kept[at])}`,
    ).toBe('same');
  }, 120_000);
});
