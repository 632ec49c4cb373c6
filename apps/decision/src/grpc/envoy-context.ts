import { InputLimits, InputProblem, inputProblems } from '@zt/contracts';
import { ProtoStruct, structToJson } from './protobuf-struct';

/**
 * The facts Envoy adds to a check beyond the HTTP request: `context_extensions` (per-route
 * strings set in the route's `typed_per_filter_config`) and `metadata_context` /
 * `route_metadata_context` (`filter_metadata` Structs by filter namespace, e.g. what jwt_authn
 * verified). They join the decision's context as `context.envoy`, under Envoy's own names, and are
 * bounded: they come from whoever can reach the gRPC port, like the rest of the CheckRequest.
 */

/** The Metadata message (envoy.config.core.v3) as proto-loader hands it over. */
export interface MetadataMessage {
  filter_metadata?: Record<string, ProtoStruct>;
}

/** The AttributeContext members read here. */
export interface EnvoyFacts {
  context_extensions?: Record<string, string>;
  metadata_context?: MetadataMessage | null;
  route_metadata_context?: MetadataMessage | null;
}

/**
 * context_extensions: a flat map of at most 32 short strings (a route's facts: team, tier,
 * resource type), never nested.
 */
export const CONTEXT_EXTENSIONS_LIMITS: InputLimits = {
  maxDepth: 1,
  maxStringLength: 1_024,
  maxArrayItems: 0,
  maxObjectMembers: 32,
  maxValues: 33,
};

/**
 * One namespace of metadata: room for a verified JWT payload (jwt_authn's `payload_in_metadata`)
 * or a few facts of another filter, nested at most 4 levels, so that the whole decision request
 * stays within its own bounds (DECISION_REQUEST_LIMITS: 8 levels, context.envoy.metadata_context
 * taking 4 of them).
 */
export const METADATA_NAMESPACE_LIMITS: InputLimits = {
  maxDepth: 4,
  maxStringLength: 4_096,
  maxArrayItems: 64,
  maxObjectMembers: 64,
  maxValues: 512,
};

/** At most this many filter namespaces of metadata are accepted in one check. */
export const MAX_METADATA_NAMESPACES = 8;

const ATTRIBUTES = '/attributes';
const NAMESPACE = /^[A-Za-z0-9_.-]{1,128}$/;

/** Metadata as JSON by namespace, with what the bounds refuse; undefined when absent or empty. */
function metadataJson(
  metadata: MetadataMessage | null | undefined,
  pointer: string,
): { json?: Record<string, unknown>; problems: InputProblem[] } {
  const namespaces = Object.entries(metadata?.filter_metadata ?? {});
  if (namespaces.length === 0) return { problems: [] };
  if (namespaces.length > MAX_METADATA_NAMESPACES)
    return {
      problems: [
        {
          pointer: `${pointer}/filter_metadata`,
          detail: `has more than ${MAX_METADATA_NAMESPACES} namespaces`,
        },
      ],
    };
  const json: Record<string, unknown> = {};
  const problems: InputProblem[] = [];
  for (const [namespace, struct] of namespaces) {
    const at = `${pointer}/filter_metadata/${namespace.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!NAMESPACE.test(namespace)) {
      problems.push({
        pointer: at,
        detail: 'is not a filter namespace (letters, digits, _ . -; at most 128)',
      });
      continue;
    }
    const value = structToJson(struct) ?? {};
    const found = inputProblems(value, at, METADATA_NAMESPACE_LIMITS);
    problems.push(...found);
    // Defined, not assigned: a namespace is a name from the wire.
    if (found.length === 0)
      Object.defineProperty(json, namespace, { value, enumerable: true, writable: true, configurable: true });
  }
  return { json, problems };
}

/**
 * `context.envoy` of a check, with what its bounds refuse (pointers into the CheckRequest); the
 * facts are undefined when Envoy sent none.
 */
export function envoyFactsOf(attributes: EnvoyFacts): {
  facts?: Record<string, unknown>;
  problems: InputProblem[];
} {
  const facts: Record<string, unknown> = {};
  const extensions = attributes.context_extensions ?? {};
  const problems = inputProblems(extensions, `${ATTRIBUTES}/context_extensions`, CONTEXT_EXTENSIONS_LIMITS);
  if (Object.keys(extensions).length > 0) facts.context_extensions = { ...extensions };
  for (const name of ['metadata_context', 'route_metadata_context'] as const) {
    const { json, problems: found } = metadataJson(attributes[name], `${ATTRIBUTES}/${name}`);
    problems.push(...found);
    if (json && Object.keys(json).length > 0) facts[name] = json;
  }
  return { facts: Object.keys(facts).length > 0 ? facts : undefined, problems };
}
