import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SPEC, loadConfig } from './config';
import { ConfigError } from './env';

/** The README cells of one variable, as the configuration table must show them. */
function expectedCells(name: string, v: { defaultText?: string; description: string }): string[] {
  const d = v.defaultText;
  const fallback =
    d === undefined ? '(required)' : d === '' ? '(empty)' : d === '(unset)' ? '(unset)' : `\`${d}\``;
  return [`\`${name}\``, fallback, v.description];
}

/** Table rows of a markdown text, as trimmed cells (prettier pads them, which does not count). */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('configuration', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.DATA_DIR).toBe('./data');
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config.TOPIC_PREFIX).toBe('');
  });

  it('parses lists, integers and URLs', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092', PORT: '9000', REDIS_URL: 'redis://r:6379' });
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
    expect(config.PORT).toBe(9000);
    expect(config.REDIS_URL).toBe('redis://r:6379');
  });

  it('refuses to start on a malformed variable, naming it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ JWKS_URL: 'not a url' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: '-1', JWT_CLOCK_SKEW_SECONDS: '9999' })).toThrow(
      /PORT, JWT_CLOCK_SKEW_SECONDS are invalid/,
    );
  });

  it('is documented in the README table, variable by variable', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const rows = tableRows(readme).map((cells) => cells.join(' | '));
    const missing = Object.entries(CONFIG_SPEC)
      .map(([name, v]) => expectedCells(name, v).join(' | '))
      .filter((row) => !rows.includes(row));
    expect(missing).toEqual([]);
  });
});
