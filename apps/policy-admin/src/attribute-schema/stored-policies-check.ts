import {
  parsePolicy,
  typeCheckPolicy,
  type AttributeSchema,
  type PolicyFormat,
  type ValidationIssue,
} from '@zt/policy-engine';

/** A stored policy a new schema would refuse, and why. */
export interface BrokenPolicy {
  policy_id: string;
  errors: { pointer: string; detail: string }[];
}

/** Most policies listed in a refusal: enough to act on, bounded whatever the store holds. */
export const MAX_BROKEN_LISTED = 100;

/**
 * The stored policies that would fail the schema. A document that no longer parses (stored under
 * older rules) is not the schema's doing and is skipped: it fails its next write either way.
 */
export function policiesBrokenBy(
  schema: AttributeSchema,
  policies: { id: string; format: string; document: Record<string, unknown> }[],
): { broken: BrokenPolicy[]; total: number } {
  const broken: BrokenPolicy[] = [];
  let total = 0;
  for (const stored of policies) {
    const parsed = parsePolicy(stored.document, {
      format: stored.format as PolicyFormat,
      defaultId: stored.id,
    });
    if (!parsed.ok) continue;
    const issues: ValidationIssue[] = typeCheckPolicy(parsed.policy, schema);
    if (issues.length === 0) continue;
    total++;
    if (broken.length < MAX_BROKEN_LISTED) {
      broken.push({
        policy_id: stored.id,
        errors: issues.map((i) => ({ pointer: i.pointer, detail: i.message })),
      });
    }
  }
  return { broken, total };
}
