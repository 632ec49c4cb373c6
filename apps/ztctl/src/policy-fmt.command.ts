import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { CommandResult, EXIT } from './exit-codes';
import { FOLDERS } from './policy-repo';
import { documentFiles } from './repo-files';
import type { OutputFormat } from './policy-validate.command';

/** How ztctl writes YAML (fmt and export alike): two-space indents, lines up to 100 characters. */
export const YAML_OPTIONS = { indent: 2, lineWidth: 100, minContentWidth: 20 } as const;

/** A value as ztctl writes a new YAML file. */
export function toYaml(value: unknown): string {
  return stringify(value, YAML_OPTIONS);
}

/**
 * The canonical text of a file: JSON with two-space indents; YAML as the yaml library prints the
 * parsed document, which keeps comments and key order but settles indentation, quoting and
 * spacing. Undefined when the file does not parse (validate names the problem).
 */
export function canonicalText(file: string, text: string): string | undefined {
  if (file.toLowerCase().endsWith('.json')) {
    try {
      return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
    } catch {
      return undefined;
    }
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) return undefined;
  return document.toString(YAML_OPTIONS);
}

/**
 * `ztctl policy fmt DIR [--check]`: rewrites every document file of the repository in canonical
 * form; with --check it changes nothing and exits 1 when a file is not canonical (for CI).
 */
export function fmtCommand(dir: string, options: { check: boolean; output: OutputFormat }): CommandResult {
  const files = Object.values(FOLDERS).flatMap((folder) => documentFiles(dir, folder));
  const changed: string[] = [];
  const unparsable: string[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const canonical = canonicalText(file, text);
    if (canonical === undefined) unparsable.push(file);
    else if (canonical !== text) {
      changed.push(file);
      if (!options.check) writeFileSync(path, canonical);
    }
  }
  const failed = unparsable.length > 0 || (options.check && changed.length > 0);
  const exitCode = failed ? EXIT.failure : EXIT.ok;
  if (options.output === 'json') {
    return {
      text: JSON.stringify({ files: files.length, changed, unparsable, check: options.check }, null, 2),
      exitCode,
    };
  }
  const lines = [
    ...changed.map((f) => `${options.check ? 'not formatted' : 'formatted'}: ${f}`),
    ...unparsable.map((f) => `cannot parse: ${f} (see ztctl policy validate)`),
    `${files.length} files, ${changed.length} ${options.check ? 'not canonical' : 'rewritten'}`,
  ];
  return { text: lines.join('\n'), exitCode };
}
