import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packagedProtoDir } from '../src/grpc-transport.js';

// The package ships its own copy of the decision service's .proto so it stands alone; the copy
// must stay the project's. Fix: cp proto/zt/decision/v1/decision.proto packages/sdk/proto/zt/decision/v1/
const ROOT = resolve(__dirname, '../../..');
const SHIPPED = ['zt/decision/v1/decision.proto'];

describe('the .proto files the SDK ships', () => {
  it.each(SHIPPED)('%s equals the project one', (file) => {
    const copy = readFileSync(join(ROOT, 'packages/sdk/proto', file), 'utf8');
    expect(copy).toBe(readFileSync(join(ROOT, 'proto', file), 'utf8'));
  });

  it('are found by the gRPC transport from the sources and from either build', () => {
    const proto = join(ROOT, 'packages/sdk/proto');
    expect(packagedProtoDir(join(ROOT, 'packages/sdk/src'))).toBe(proto);
    expect(packagedProtoDir(join(ROOT, 'packages/sdk/dist/esm/pep'))).toBe(proto);
  });
});
