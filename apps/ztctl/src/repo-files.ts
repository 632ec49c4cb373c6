import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';

/** The file names a repository folder reads; anything else (README.md, .gitkeep) is ignored. */
export const DOCUMENT_FILE = /\.(ya?ml|json)$/i;

// A policy repository is the user's own, but a stray large file should be named, not loaded.
const MAX_FILE_BYTES = 1024 * 1024;

/** One problem in one file of the repository: where (file, JSON pointer, line) and what. */
export interface RepoIssue {
  file: string;
  pointer: string;
  line?: number;
  message: string;
}

/** A parsed document file, with a way to turn a JSON pointer into its line. */
export interface DocumentFile {
  /** The path relative to the repository, with forward slashes. */
  file: string;
  data: unknown;
  lineOf(pointer: string): number | undefined;
}

/** The document files under `dir/folder`, recursively, in path order; empty when it does not exist. */
export function documentFiles(dir: string, folder: string): string[] {
  const root = join(dir, folder);
  let entries: string[];
  try {
    entries = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .filter((name) => DOCUMENT_FILE.test(name) && statSync(join(root, name)).isFile())
    .map((name) => relative(dir, join(root, name)).split(sep).join('/'))
    .sort();
}

/** Whether the repository has the folder at all: a kind is managed only when its folder exists. */
export function hasFolder(dir: string, folder: string): boolean {
  try {
    return statSync(join(dir, folder)).isDirectory();
  } catch {
    return false;
  }
}

/** Decodes a JSON pointer's segments (RFC 6901). */
function segments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Reads a YAML or JSON file (JSON is read as the YAML it is, so both get line numbers). A file
 * that cannot be read or parsed is an issue, not an exception.
 */
export function readDocument(dir: string, file: string, issues: RepoIssue[]): DocumentFile | undefined {
  const path = join(dir, file);
  if (statSync(path).size > MAX_FILE_BYTES) {
    issues.push({ file, pointer: '', message: `is larger than ${MAX_FILE_BYTES} bytes` });
    return undefined;
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(path, 'utf8'), { lineCounter, uniqueKeys: true });
  const [error] = document.errors;
  if (error) {
    const line = error.linePos?.[0].line;
    issues.push({ file, pointer: '', ...(line ? { line } : {}), message: error.message.split('\n')[0] });
    return undefined;
  }
  return {
    file,
    data: document.toJS({ maxAliasCount: 100 }) as unknown,
    lineOf(pointer) {
      // The deepest node the pointer reaches: a missing member is reported at its parent.
      const path = segments(pointer);
      for (let depth = path.length; depth >= 0; depth--) {
        const node = document.getIn(path.slice(0, depth), true) as { range?: [number, number] } | undefined;
        if (node?.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/** An issue at a pointer of a document file, with its line when the file has one there. */
export function issueAt(doc: DocumentFile, pointer: string, message: string): RepoIssue {
  const line = doc.lineOf(pointer);
  return { file: doc.file, pointer, ...(line ? { line } : {}), message };
}

/** A file that holds one document or a list of them: each with its pointer prefix. */
export function entriesOf(doc: DocumentFile): { value: unknown; base: string }[] {
  return Array.isArray(doc.data)
    ? (doc.data as unknown[]).map((value, i) => ({ value, base: `/${i}` }))
    : [{ value: doc.data, base: '' }];
}

/** `file:line pointer: message`, the way compilers name a place. */
export function formatIssue(issue: RepoIssue): string {
  return `${issue.file}${issue.line ? `:${issue.line}` : ''} ${issue.pointer || '/'}: ${issue.message}`;
}
