/** The subset of JSON Schema the product's OpenAPI document uses. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  pattern?: string;
  format?: string;
}

/** A documented path, query or header parameter. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: JsonSchema;
}

/** One documented operation, as the fuzzers drive it. */
export interface Operation {
  method: string;
  /** The path template as documented, e.g. `/v1/zt-policy/policies/{id}`. */
  path: string;
  parameters: Parameter[];
  /** The JSON request body schema, when the operation takes a body. */
  body?: JsonSchema;
}

interface DocOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
}

/** The OpenAPI document as far as the fuzzers read it. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, DocOperation>>;
}

/** Every operation the live document lists, in document order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      parameters: operation.parameters ?? [],
      body: operation.requestBody?.content?.['application/json']?.schema,
    })),
  );
}

/** `METHOD /path/{template}`, the name fuzz reports use for an operation. */
export function operationName(operation: Operation): string {
  return `${operation.method} ${operation.path}`;
}
