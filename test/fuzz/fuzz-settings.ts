/** How much to fuzz and from which seed. */
export interface FuzzSettings {
  /** Rounds per category; each round sends one request to every documented operation. */
  runs: number;
  seed: number;
  /** Whether the seed was chosen at random (printed so a failure can be replayed). */
  randomSeed: boolean;
  /** Per-request bound: a hang detector, not a performance assertion. */
  requestTimeoutMs: number;
}

// `npm test` on 2 cores: 8 categories x 3 rounds x ~36 operations stays well inside a minute.
const QUICK_RUNS = 3;
const DEEP_RUNS = 100;
const FIXED_SEED = 20_260_414;

function integerFrom(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * Reads FUZZ_DEEP (set by `npm run fuzz`), FUZZ_RUNS and FUZZ_SEED: `npm test` runs a few rounds
 * from a fixed seed; `npm run fuzz` many rounds from a random seed unless FUZZ_SEED names one.
 */
export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const deep = env.FUZZ_DEEP === '1';
  const seed = integerFrom('FUZZ_SEED', env.FUZZ_SEED);
  const randomSeed = seed === undefined && deep;
  return {
    runs: integerFrom('FUZZ_RUNS', env.FUZZ_RUNS) ?? (deep ? DEEP_RUNS : QUICK_RUNS),
    seed: seed ?? (randomSeed ? Math.floor(Math.random() * 2 ** 31) : FIXED_SEED),
    randomSeed,
    requestTimeoutMs: 5_000,
  };
}
