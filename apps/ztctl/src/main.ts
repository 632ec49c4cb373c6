import { auditCommand } from './audit-verify.command';
import { tokenCommand, UsageError } from './token.command';

const USAGE = `usage: ztctl <command> [options]

commands:
  token --sub <subject> [--roles a,b] [--groups a,b] [--mfa] [--posture compliant]
        [--ttl seconds] [--aud audience] [--data-dir ./data]
        mint a development token signed by the standalone issuer's key
  audit verify <export.jsonl> --key <jwks.json|key.pem>
        check an audit export (GET /v1/zt-policy/audit/export) offline; names the first bad line
`;

/** Each command takes its arguments and the environment and returns what it prints. */
const COMMANDS: Record<string, (args: string[], env: NodeJS.ProcessEnv) => Promise<string>> = {
  token: tokenCommand,
  audit: auditCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    process.stdout.write(`${await command(args, process.env)}\n`);
    return 0;
  } catch (error) {
    // parseArgs reports unknown flags as TypeErrors with a code; those are usage mistakes too.
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(
      `ztctl: ${error instanceof Error ? error.message : String(error)}\n${usage ? USAGE : ''}`,
    );
    return usage ? 2 : 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
