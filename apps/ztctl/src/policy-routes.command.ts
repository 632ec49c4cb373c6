import { writeFileSync } from 'node:fs';
import { CommandResult, EXIT } from './exit-codes';
import { loadRepository } from './policy-repo';
import { issuesText } from './policy-validate.command';

/**
 * `ztctl policy routes DIR [--out FILE]`: the repository's route table as the JSON the decision
 * service reads from ROUTES_FILE, after the same checks as `validate`. Routes are deployed with
 * the decision service's configuration, not applied to policy-admin. Exit 1 when the repository
 * has problems or no route table.
 */
export function routesCommand(dir: string, options: { out?: string }): CommandResult {
  const repository = loadRepository(dir);
  if (repository.issues.length > 0) return { text: issuesText(repository), exitCode: EXIT.failure };
  if (!repository.routes)
    return {
      text: `${dir} has no route table (routes.yaml, routes.yml or routes.json)`,
      exitCode: EXIT.failure,
    };
  const json = `${JSON.stringify(repository.routes.table, null, 2)}\n`;
  if (!options.out) return { text: json.trimEnd(), exitCode: EXIT.ok };
  writeFileSync(options.out, json);
  return {
    text: `wrote ${repository.routes.table.routes.length} routes from ${repository.routes.file} to ${options.out}: deploy it as the decision service's ROUTES_FILE`,
    exitCode: EXIT.ok,
  };
}
