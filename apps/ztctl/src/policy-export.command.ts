import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PolicySnapshot } from '@zt/contracts';
import { callServer, Connection } from './connection';
import { CliFailure, CommandResult, EXIT } from './exit-codes';
import { FOLDERS } from './policy-repo';
import { toYaml } from './policy-fmt.command';
import { documentFiles } from './repo-files';
import type { OutputFormat } from './policy-validate.command';

/** The server's whole state at one revision: policies, principals and resources. */
export async function fetchSnapshot(connection: Connection): Promise<PolicySnapshot> {
  const { body } = await callServer<PolicySnapshot>(connection, 'GET', '/policies:snapshot');
  return body;
}

/**
 * A file name for an id: ids may hold characters a file system or a shell dislikes, and a
 * resource type of `..` must not climb out of its folder. Collisions get a numbered suffix.
 */
function fileNames(): (name: string) => string {
  const used = new Set<string>();
  return (name) => {
    const base = name.replace(/[^A-Za-z0-9_.@+=-]/g, '_').replace(/^\.+/, '_') || '_';
    let candidate = base;
    for (let i = 2; used.has(candidate.toLowerCase()); i++) candidate = `${base}-${i}`;
    used.add(candidate.toLowerCase());
    return candidate;
  };
}

function write(dir: string, file: string, value: unknown): string {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), toYaml(value));
  return file;
}

/**
 * `ztctl policy export --server URL DIR [--force]`: writes the server's policies (each in the
 * shape it was written in), principals and resources as a repository. Refuses to mix them into
 * folders that already hold documents unless --force, which replaces those folders' documents;
 * `tests/` is never touched.
 */
export async function exportCommand(
  connection: Connection,
  dir: string,
  options: { force: boolean; output: OutputFormat },
): Promise<CommandResult> {
  const managed = [FOLDERS.policies, FOLDERS.principals, FOLDERS.resources];
  const existing = managed.flatMap((folder) => documentFiles(dir, folder));
  if (existing.length > 0 && !options.force)
    throw new CliFailure(
      `${dir} already holds ${existing.length} policy, principal or resource files; pass --force to replace them`,
    );
  const snapshot = await fetchSnapshot(connection);
  for (const file of existing) rmSync(join(dir, file));
  for (const folder of [...managed, FOLDERS.tests]) mkdirSync(join(dir, folder), { recursive: true });
  const written: string[] = [];
  const policyName = fileNames();
  for (const p of snapshot.policies) {
    if (p.document)
      written.push(write(dir, `${FOLDERS.policies}/${policyName(p.policyId)}.yaml`, p.document));
  }
  const principalName = fileNames();
  for (const { principal } of snapshot.principals) {
    if (principal)
      written.push(write(dir, `${FOLDERS.principals}/${principalName(principal.id)}.yaml`, principal));
  }
  const typeName = fileNames();
  const typeFolders = new Map<string, { folder: string; name: (id: string) => string }>();
  for (const { resource } of snapshot.resources ?? []) {
    if (!resource) continue;
    let folder = typeFolders.get(resource.type);
    if (!folder) {
      folder = { folder: typeName(resource.type), name: fileNames() };
      typeFolders.set(resource.type, folder);
    }
    written.push(
      write(dir, `${FOLDERS.resources}/${folder.folder}/${folder.name(resource.id)}.yaml`, resource),
    );
  }
  const empty = (folder: string) => readdirSync(join(dir, folder)).length === 0;
  for (const folder of [...managed, FOLDERS.tests]) {
    // Git keeps no empty folder, and an absent principals/ would mean "not managed".
    if (empty(folder)) writeFileSync(join(dir, folder, '.gitkeep'), '');
  }
  if (options.output === 'json')
    return {
      text: JSON.stringify({ revision: snapshot.revision, files: written }, null, 2),
      exitCode: EXIT.ok,
    };
  return {
    text: `exported revision ${snapshot.revision} of ${connection.server} to ${dir}: ${snapshot.policies.length} policies, ${snapshot.principals.length} principals, ${(snapshot.resources ?? []).length} resources`,
    exitCode: EXIT.ok,
  };
}
