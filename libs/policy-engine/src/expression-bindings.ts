import { celList, celMap, type CelValue } from '@bufbuild/cel';
import type { DecisionRequest } from './model';

/** CEL's view of one value of a request: its objects as CEL maps, its arrays as CEL lists. */
function celValue(value: unknown): CelValue {
  if (Array.isArray(value)) return celList(value.map(celValue));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return celMap(new Map(Object.entries(value).map(([k, v]) => [k, celValue(v)])));
  }
  return value as CelValue;
}

const converted = new WeakMap<DecisionRequest, Record<string, CelValue>>();

/**
 * The variables an expression sees for a request (`subject`, `resource`, `action`, `context`),
 * converted to CEL values once per request, in time linear in its size. @bufbuild/cel converts a
 * plain object on every access, copying all its members: inside a comprehension, reading
 * `context.x` of a 100-member context would copy 100 members per item, work no budget sees.
 * The request is not changed while it is decided, so the converted copy stays true to it.
 */
export function expressionBindings(request: DecisionRequest): Record<string, CelValue> {
  let bindings = converted.get(request);
  if (!bindings) {
    bindings = {
      subject: celValue({ ...request.subject, properties: request.subject.attributes ?? {} }),
      resource: celValue({ ...request.resource, properties: request.resource.attributes ?? {} }),
      action: request.action,
      context: celValue(request.context ?? {}),
    };
    converted.set(request, bindings);
  }
  return bindings;
}
