/**
 * The route table's index: a trie over path template segments, so a match costs at most one visit
 * per trie node on the path's own depth, not one try per route (10,000 routes cost what 10 do).
 */

/** One segment of a path template: literal text, `{name}` (one segment) or `{name...}` (the rest). */
export type Segment =
  { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'rest'; name: string };

/** What the trie needs of a route. */
export interface TrieRoute {
  /** The route's index in the file: the last tie-break. */
  index: number;
  /** The methods it applies to; undefined for any. */
  methods: ReadonlySet<string> | undefined;
  segments: Segment[];
}

interface TrieNode<R> {
  literal: Map<string, TrieNode<R>>;
  param: TrieNode<R> | undefined;
  /** Routes whose template ends at this node. */
  end: R[];
  /** Routes whose template ends with `{name...}` after this node. */
  rest: R[];
}

function node<R>(): TrieNode<R> {
  return { literal: new Map(), param: undefined, end: [], rest: [] };
}

// A route for the method beats one for any method; then file order.
function byMethodThenIndex(a: TrieRoute, b: TrieRoute): number {
  if ((a.methods === undefined) !== (b.methods === undefined)) return a.methods === undefined ? 1 : -1;
  return a.index - b.index;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Not UTF-8 once decoded: the segment as it came (escapes kept) is the only faithful value.
    return segment;
  }
}

/** The template's variables, percent-decoded, for a path the template matched. */
function paramsOf(segments: Segment[], parts: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    if (segment.kind === 'rest') params[segment.name] = parts.slice(i).map(decoded).join('/');
    else if (segment.kind === 'param') params[segment.name] = decoded(parts[i]);
  }
  return params;
}

/** The segments of a normalized path or template: none for `/`. */
export function pathParts(path: string): string[] {
  return path === '/' ? [] : path.split('/').slice(1);
}

/**
 * Routes of one host (or of any host) by template. Lookup order is the table's specificity rule:
 * at each segment a literal before `{name}` before `{name...}` (depth first, so a longer template
 * that agrees so far is tried first); among routes of one template shape, one for the method
 * before one for any method, then file order.
 */
export class RouteTrie<R extends TrieRoute> {
  private readonly root: TrieNode<R> = node();

  /** Adds a route; call {@link seal} once all are added. */
  add(route: R): void {
    let at = this.root;
    for (const segment of route.segments) {
      if (segment.kind === 'rest') {
        at.rest.push(route);
        return;
      }
      if (segment.kind === 'param') at = at.param ??= node();
      else {
        let next = at.literal.get(segment.text);
        if (!next) at.literal.set(segment.text, (next = node()));
        at = next;
      }
    }
    at.end.push(route);
  }

  /** Orders every node's routes for lookup. */
  seal(): void {
    const pending = [this.root];
    for (let at = pending.pop(); at; at = pending.pop()) {
      at.end.sort(byMethodThenIndex);
      at.rest.sort(byMethodThenIndex);
      pending.push(...at.literal.values(), ...(at.param ? [at.param] : []));
    }
  }

  /** The first route for the method matching the path's segments, with its variables. */
  find(method: string, parts: string[]): { route: R; params: Record<string, string> } | undefined {
    const route = this.search(this.root, method, parts, 0);
    return route && { route, params: paramsOf(route.segments, parts) };
  }

  private search(at: TrieNode<R>, method: string, parts: string[], i: number): R | undefined {
    const forMethod = (r: R) => r.methods === undefined || r.methods.has(method);
    if (i === parts.length) return at.end.find(forMethod);
    const part = parts[i];
    const literal = at.literal.get(part);
    const found =
      (literal && this.search(literal, method, parts, i + 1)) ??
      // A variable never takes an empty segment (a trailing slash).
      (at.param && part !== '' ? this.search(at.param, method, parts, i + 1) : undefined);
    if (found) return found;
    return parts.slice(i).every((p) => p !== '') ? at.rest.find(forMethod) : undefined;
  }
}
