import { AUDIT_VERIFY_USAGE, auditCommand, AuditVerifyFailure } from './audit-verify.command';
import { tokenCommand, UsageError } from './token.command';

/** What `ztctl --help` prints. */
export const USAGE = `usage: ztctl <command> [options]

commands:
  token --sub <subject> [--roles a,b] [--groups a,b] [--mfa] [--posture compliant]
        [--ttl seconds] [--aud audience] [--data-dir ./data]
        mint a development token signed by the standalone issuer's key
${AUDIT_VERIFY_USAGE}`;

/** Each command takes its arguments and the environment and returns what it prints. */
const COMMANDS: Record<string, (args: string[], env: NodeJS.ProcessEnv) => Promise<string>> = {
  token: tokenCommand,
  audit: auditCommand,
};

/** Where the CLI writes. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Runs one command line; returns the exit code (0 done, 2 usage, 1 or the command's own code). */
export async function run(argv: string[], env: NodeJS.ProcessEnv, output: Output): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    output.out(USAGE);
    return 0;
  }
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    output.err(USAGE);
    return 2;
  }
  try {
    output.out(`${await command(args, env)}\n`);
    return 0;
  } catch (error) {
    // parseArgs reports unknown flags as TypeErrors with a code; those are usage mistakes too.
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    output.err(`ztctl: ${error instanceof Error ? error.message : String(error)}\n${usage ? USAGE : ''}`);
    if (usage) return 2;
    return error instanceof AuditVerifyFailure ? error.exitCode : 1;
  }
}
