/**
 * The value as a JSON object, or undefined when it is anything else (null, an array, a scalar).
 * Bus messages, model answers and request contexts are untrusted JSON; this is the one check
 * the services use before reading members.
 */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
