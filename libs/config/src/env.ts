/** A configuration variable that is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** How one environment variable is read: its default, its meaning, and how it is parsed. */
export interface EnvVar<T> {
  readonly description: string;
  /** Shown in the README table; absent means the variable is required where it is used. */
  readonly defaultText?: string;
  read(name: string, raw: string | undefined): T;
}

type Parser<T> = (name: string, raw: string) => T;

function variable<T>(description: string, parse: Parser<T>, fallback?: T, defaultText?: string): EnvVar<T> {
  return {
    description,
    defaultText: defaultText ?? (fallback === undefined ? undefined : String(fallback)),
    read(name, raw) {
      if (raw === undefined || raw === '') {
        if (fallback === undefined) throw new ConfigError(name, 'is required');
        return fallback;
      }
      return parse(name, raw);
    },
  };
}

/** Optional variants return undefined when unset instead of failing. */
function optional<T>(description: string, parse: Parser<T>): EnvVar<T | undefined> {
  return {
    description,
    defaultText: '(unset)',
    read: (name, raw) => (raw === undefined || raw === '' ? undefined : parse(name, raw)),
  };
}

const parseString: Parser<string> = (_name, raw) => raw;

function parseInteger(min: number, max: number): Parser<number> {
  return (name, raw) => {
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max)
      throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

function parseNumber(min: number, max: number): Parser<number> {
  return (name, raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value))
      throw new ConfigError(name, `must be a number, got "${raw}"`);
    if (value < min || value > max)
      throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

const parseUrl: Parser<string> = (name, raw) => {
  try {
    return new URL(raw).toString();
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
};

const parseList: Parser<string[]> = (_name, raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const parseBoolean: Parser<boolean> = (name, raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
};

function parseOneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (name, raw) => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
}

/** Builders for environment variables, used by the one config spec in this lib. */
export const env = {
  string: (description: string, fallback?: string, defaultText?: string) =>
    variable(description, parseString, fallback, defaultText),
  optionalString: (description: string) => optional(description, parseString),
  integer: (description: string, fallback: number | undefined, min: number, max: number) =>
    variable(description, parseInteger(min, max), fallback),
  number: (description: string, fallback: number, min: number, max: number) =>
    variable(description, parseNumber(min, max), fallback),
  url: (description: string, fallback?: string) => variable(description, parseUrl, fallback),
  optionalUrl: (description: string) => optional(description, parseUrl),
  list: (description: string, fallback?: string[]) =>
    variable(description, parseList, fallback, fallback === undefined ? undefined : fallback.join(',')),
  optionalList: (description: string) => optional(description, parseList),
  boolean: (description: string, fallback: boolean) => variable(description, parseBoolean, fallback),
  oneOf: <T extends string>(description: string, values: readonly T[], fallback: T) =>
    variable(description, parseOneOf(values), fallback),
};

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type ConfigOf<S extends EnvSpec> = { [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

/** Reads every variable of a spec at once and reports all problems together. */
export function readEnv<S extends EnvSpec>(spec: S, source: NodeJS.ProcessEnv): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: ConfigError[] = [];
  for (const [name, v] of Object.entries(spec)) {
    try {
      out[name] = v.read(name, source[name]);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(e);
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw new ConfigError(
      problems.map((p) => p.variable).join(', '),
      `are invalid:\n  ${problems.map((p) => p.message).join('\n  ')}`,
    );
  }
  return out as ConfigOf<S>;
}
