import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's `proto/` folder, found by walking up from this file: it sits at a different
 * depth from the TypeScript sources (tests) than from their build in dist/ (production).
 */
export function protoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'zt', 'decision', 'v1', 'decision.proto'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no proto/ folder above ${from}`);
  }
}
