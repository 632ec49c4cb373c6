import { Command, Option } from 'commander';
import { ConnectionFlags, resolveConnection } from './connection';
import type { CommandResult } from './exit-codes';
import { applyCommand, isPlanFile, planToApply, readPlan } from './policy-apply.command';
import { exportCommand } from './policy-export.command';
import { fmtCommand } from './policy-fmt.command';
import { planCommand } from './policy-plan.command';
import { routesCommand } from './policy-routes.command';
import { testCommand } from './policy-test.command';
import { OutputFormat, validateCommand } from './policy-validate.command';

/** What every policy command may print in: text for people, JSON for scripts. */
const outputOption = () =>
  new Option('-o, --output <format>', 'text for people, json for scripts')
    .choices(['text', 'json'])
    .default('text');

/** The connection flags of the server commands (flag > ZT_SERVER/ZT_TOKEN > profile file). */
function withConnection(command: Command): Command {
  return command
    .option('--server <url>', 'the policy-admin base URL (else ZT_SERVER, else the profile)')
    .option('--token <jwt>', 'a bearer token (else --token-file, ZT_TOKEN, the profile)')
    .option('--token-file <file>', 'a file holding the bearer token')
    .option('--profile <file>', 'a profile file (else ZT_PROFILE, else ~/.config/ztctl/profile.json)')
    .addOption(outputOption());
}

type Options = ConnectionFlags & { output: OutputFormat };

/**
 * Adds `ztctl policy …` to the program. Each action hands its result to `done`, which prints it
 * and keeps its exit code.
 */
export function addPolicyCommands(
  program: Command,
  env: NodeJS.ProcessEnv,
  done: (result: CommandResult) => void,
): void {
  const policy = program
    .command('policy')
    .description(
      'policy as code: validate, test, format, export, plan and apply a policy repository, and write its routes',
    );

  policy
    .command('validate')
    .description('check every policy, principal, resource and test file as the server checks a write')
    .argument('<dir>', 'the policy repository')
    .addOption(outputOption())
    .action((dir: string, options: { output: OutputFormat }) => done(validateCommand(dir, options.output)));

  policy
    .command('test')
    .description('run the test files on the policy engine; report failures and coverage')
    .argument('<dir>', 'the policy repository')
    .option('--junit <file>', 'also write the results as JUnit XML (for CI)')
    .addOption(outputOption())
    .action((dir: string, options: { output: OutputFormat; junit?: string }) =>
      done(testCommand(dir, options)),
    );

  policy
    .command('routes')
    .description("write the repository's route table as the JSON of the decision service's ROUTES_FILE")
    .argument('<dir>', 'the policy repository')
    .option('--out <file>', 'write it to this file (else print it)')
    .action((dir: string, options: { out?: string }) => done(routesCommand(dir, options)));

  policy
    .command('fmt')
    .description('rewrite the repository files in canonical form')
    .argument('<dir>', 'the policy repository')
    .option('--check', 'change nothing; exit 1 when a file is not canonical', false)
    .addOption(outputOption())
    .action((dir: string, options: { check: boolean; output: OutputFormat }) =>
      done(fmtCommand(dir, options)),
    );

  withConnection(
    policy
      .command('export')
      .description("write the server's policies, principals and resources as a repository")
      .argument('<dir>', 'the folder to write')
      .option('--force', 'replace the policy, principal and resource files already there', false),
  ).action(async (dir: string, options: Options & { force: boolean }) =>
    done(await exportCommand(resolveConnection(options, env), dir, options)),
  );

  withConnection(
    policy
      .command('plan')
      .alias('diff')
      .description('show what apply would create, change (field by field) and delete; exit 3 when anything')
      .argument('<dir>', 'the policy repository')
      .option('--out <file>', 'save the plan, with the server revision it was made against')
      .option('--no-impact', 'do not replay recorded decisions to show which would change')
      .option('--replay-from <instant>', 'replay decisions made at or after this instant (ISO 8601)')
      .option(
        '--replay-limit <n>',
        'replay at most this many recorded decisions, newest first (default 100000)',
      ),
  ).action(
    async (
      dir: string,
      options: Options & { out?: string; impact: boolean; replayFrom?: string; replayLimit?: string },
    ) => done(await planCommand(resolveConnection(options, env), dir, options)),
  );

  withConnection(
    policy
      .command('apply')
      .description('apply a repository or a saved plan as one atomic change set')
      .argument('<source>', 'a repository folder (planned now) or a plan file from plan --out')
      .option('--reason <text>', 'why, recorded with the change (e.g. the pull request)'),
  ).action(async (source: string, options: Options & { reason?: string }) => {
    // A saved plan names its server: it is the default when no flag, variable or profile does.
    const fallback = isPlanFile(source) ? readPlan(source).server : undefined;
    const connection = resolveConnection(options, env, fallback);
    done(await applyCommand(connection, await planToApply(connection, source), options));
  });
}
