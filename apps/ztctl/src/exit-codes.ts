/**
 * The exit codes of `ztctl policy`, as `--help` and docs/policy-as-code.md document them.
 * `audit verify` keeps its own (AUDIT_VERIFY_EXIT); 0 and 2 mean the same everywhere.
 */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem: invalid files, failed tests, unformatted files, a server error. */
  failure: 1,
  /** A mistake in the command line. */
  usage: 2,
  /** `policy plan`: the server differs from the repository (like `terraform plan -detailed-exitcode`). */
  changes: 3,
  /** `policy apply` of a saved plan: the server moved since the plan was made. */
  stale: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command that ends with a given exit code and a message for stderr. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
  ) {
    super(message);
  }
}

/** What a command prints and how it ends; the text goes to stdout even on a non-zero code. */
export interface CommandResult {
  text: string;
  exitCode: ExitCode;
}
