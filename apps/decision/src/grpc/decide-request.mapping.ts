import { InputProblem, inputProblems } from '@zt/contracts';
import { ProtoStruct, structToJson } from './protobuf-struct';

/** zt.decision.v1.DecideRequest as proto-loader hands it over; field names as in the .proto. */
export interface DecideRequestMessage {
  subject?: {
    type: string;
    id: string;
    roles: string[];
    groups: string[];
    attributes?: ProtoStruct | null;
  } | null;
  action: string;
  resource?: { type: string; id: string; attributes?: ProtoStruct | null } | null;
  context?: ProtoStruct | null;
  min_revision: string;
}

/** The call metadata a decision reads; a value is undefined when the caller did not send it. */
export interface DecideMetadata {
  authorization?: string;
  'x-correlation-id'?: string;
  'zt-min-revision'?: string;
}

/**
 * The native decision body of a DecideRequest, its Structs as JSON. Nothing is checked here: the
 * body keeps the request's own field names, so {@link decideRequestProblems} can name them.
 */
export function decideBodyOf(message: DecideRequestMessage): Record<string, unknown> {
  const body: Record<string, unknown> = { action: message.action };
  if (message.subject) {
    body.subject = {
      ...(message.subject.type ? { type: message.subject.type } : {}),
      id: message.subject.id,
      roles: message.subject.roles,
      groups: message.subject.groups,
      attributes: structToJson(message.subject.attributes) ?? {},
    };
  }
  if (message.resource) {
    body.resource = {
      ...(message.resource.type ? { type: message.resource.type } : {}),
      id: message.resource.id,
      attributes: structToJson(message.resource.attributes) ?? {},
    };
  }
  const context = structToJson(message.context);
  if (context) body.context = context;
  return body;
}

/**
 * What the one rule for untrusted input refuses in a Decide call: in its body (pointers such as
 * `/context/device/id`, the .proto's field names) and in the metadata it reads (`/metadata/...`).
 */
export function decideRequestProblems(
  body: Record<string, unknown>,
  metadata: DecideMetadata,
): InputProblem[] {
  return [...inputProblems(metadata, '/metadata'), ...inputProblems(body)];
}
