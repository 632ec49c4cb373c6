// The one mapping of JSON Schema errors to pointers lives in @zt/contracts (bus events use it too);
// the HTTP edge calls it by the name its field errors go by.
export { schemaProblems as schemaFieldErrors } from '@zt/contracts';
