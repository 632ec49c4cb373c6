import { metadataBaseUrl } from './authzen.controller';

describe('metadataBaseUrl', () => {
  const process = { PUBLIC_BASE_URL: undefined, HOST: '127.0.0.1', PORT: 0 };

  it('uses PUBLIC_BASE_URL as configured, path kept, without a trailing slash', () => {
    expect(metadataBaseUrl({ ...process, PUBLIC_BASE_URL: 'https://pdp.example.com/' }, 8080)).toBe(
      'https://pdp.example.com',
    );
    expect(metadataBaseUrl({ ...process, PUBLIC_BASE_URL: 'https://example.com/authz/' }, 8080)).toBe(
      'https://example.com/authz',
    );
  });

  it('defaults to http://HOST:PORT of this process, with the port it really listens on', () => {
    expect(metadataBaseUrl(process, 43_117)).toBe('http://127.0.0.1:43117');
    expect(metadataBaseUrl({ ...process, PORT: 8080 }, undefined)).toBe('http://127.0.0.1:8080');
    expect(metadataBaseUrl({ ...process, HOST: '::1' }, 8080)).toBe('http://[::1]:8080');
  });
});
