// The bodies of the HTTP API that more than one program checks (the services and ztctl): one
// schema and one check each.
export * from './decision-request.schema';
export * from './document-diff';
export * from './principal-body.schema';
export * from './resource-body.schema';
