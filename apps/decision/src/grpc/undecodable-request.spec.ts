import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { undecodableError, withTolerantDecoding } from './undecodable-request';

function serviceDecodingWith(decode: (bytes: Buffer) => unknown): ServiceDefinition {
  const method = {
    path: '/test.Service/Call',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
    requestDeserialize: decode,
    responseSerialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
    responseDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
  } as MethodDefinition<unknown, unknown>;
  return { Call: method };
}

describe('withTolerantDecoding', () => {
  it('hands a decoded request through untouched', () => {
    const service = withTolerantDecoding(serviceDecodingWith(() => ({ action: 'read' })));
    const request = service.Call.requestDeserialize(Buffer.alloc(0));
    expect(request).toEqual({ action: 'read' });
    expect(undecodableError(request)).toBeUndefined();
  });

  it('turns protobuf refusing a message nested too deep into a field error of the caller', () => {
    const service = withTolerantDecoding(
      serviceDecodingWith(() => {
        throw new Error('maximum nesting depth exceeded');
      }),
    );
    expect(undecodableError(service.Call.requestDeserialize(Buffer.alloc(0)))).toEqual({
      pointer: '',
      detail: 'the request message is nested deeper than protobuf decoding allows (100 message levels)',
    });
  });

  it('turns bytes that are not protobuf into a field error without quoting them', () => {
    const service = withTolerantDecoding(
      serviceDecodingWith(() => {
        throw new Error('invalid wire type 7 at offset 3: \u0000secret');
      }),
    );
    const error = undecodableError(service.Call.requestDeserialize(Buffer.from([0xff])));
    expect(error).toEqual({
      pointer: '',
      detail: 'the request message is not a valid protobuf message of this method',
    });
  });
});
