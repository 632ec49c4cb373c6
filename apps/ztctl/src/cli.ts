import { Command, CommanderError } from 'commander';
import { AUDIT_VERIFY_USAGE, auditCommand, AuditVerifyFailure } from './audit-verify.command';
import { CliFailure, EXIT } from './exit-codes';
import { addPolicyCommands } from './policy.commands';
import { tokenCommand, UsageError } from './token.command';
import { TOKEN_USAGE } from './token.usage';

/** What `ztctl --help` adds after the command list: the older commands' flags, and the exit codes. */
export const USAGE = `
${TOKEN_USAGE}
${AUDIT_VERIFY_USAGE}
  policy validate|test|fmt|export|plan|apply   see ztctl policy <command> --help
        the server and token: --server/--token flags, else ZT_SERVER/ZT_TOKEN, else the profile
        file (--profile, ZT_PROFILE, ~/.config/ztctl/profile.json: {"server": …, "token": …})
        exit codes: 0 ok; 1 invalid files, failed tests, unformatted files (fmt --check) or a
        server error; 2 usage; 3 plan has changes; 4 apply of a saved plan refused because the
        server moved since the plan
`;

/** Where the CLI writes. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/**
 * The older commands keep their own flag parsing (node:util parseArgs) and their own --help:
 * commander hands them their arguments untouched.
 */
function passThrough(
  program: Command,
  name: string,
  description: string,
  handler: (args: string[]) => Promise<string>,
  output: Output,
) {
  program
    .command(name)
    .description(description)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (args: string[]) => output.out(`${await handler(args)}\n`));
}

function program(env: NodeJS.ProcessEnv, output: Output, setExit: (code: number) => void): Command {
  const root = new Command('ztctl')
    .description('Zero Trust policy platform command line')
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text), writeErr: (text) => output.err(text) })
    .showHelpAfterError('(ztctl --help shows every command)')
    .addHelpText('after', USAGE);
  passThrough(
    root,
    'token',
    'mint a development token (ztctl token --help)',
    (args) => tokenCommand(args, env),
    output,
  );
  passThrough(
    root,
    'audit',
    'verify an audit export offline (ztctl audit verify --help)',
    (args) => auditCommand(args),
    output,
  );
  addPolicyCommands(root, env, ({ text, exitCode }) => {
    if (text) output.out(`${text}\n`);
    setExit(exitCode);
  });
  return root;
}

/** Runs one command line; returns the exit code (0 done, 2 usage, 1 or the command's own code). */
export async function run(argv: string[], env: NodeJS.ProcessEnv, output: Output): Promise<number> {
  let exitCode: number = EXIT.ok;
  try {
    await program(env, output, (code) => (exitCode = code)).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has printed its help or its complaint; help asked for is success, the rest usage.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    // parseArgs reports unknown flags as TypeErrors with a code; those are usage mistakes too.
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = error instanceof Error ? error.message : String(error);
    output.err(`ztctl: ${message}\n${usage ? `${TOKEN_USAGE}${AUDIT_VERIFY_USAGE}` : ''}`);
    if (usage) return EXIT.usage;
    if (error instanceof AuditVerifyFailure || error instanceof CliFailure) return error.exitCode;
    return EXIT.failure;
  }
}
