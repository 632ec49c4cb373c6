import type { DiscoveryService, MetadataScanner } from '@nestjs/core';

/** One method of one controller instance of the process. */
export interface ControllerMethod {
  controller: new (...args: never[]) => unknown;
  instance: object;
  handler: (...args: never[]) => unknown;
}

/** Every method of every controller the process hosts (routes or not). */
export function controllerMethods(discovery: DiscoveryService, scanner: MetadataScanner): ControllerMethod[] {
  const methods: ControllerMethod[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as ControllerMethod['controller'] | null;
    const instance = wrapper.instance as object | undefined;
    if (!controller || !instance) continue;
    const prototype = Object.getPrototypeOf(instance) as Record<string, ControllerMethod['handler']>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      methods.push({ controller, instance, handler: prototype[name] });
    }
  }
  return methods;
}

/** Nest keeps a route's path as a string or a list of strings (we use one). */
function firstPath(path: unknown): string {
  const first: unknown = Array.isArray(path) ? (path as unknown[])[0] : path;
  return typeof first === 'string' ? first.replace(/^\/+|\/+$/g, '') : '';
}

/** A controller prefix and a route path joined, without leading or trailing slashes. */
export function joinPath(prefix: unknown, path: unknown): string {
  return [firstPath(prefix), firstPath(path)].filter((p) => p.length > 0).join('/');
}
