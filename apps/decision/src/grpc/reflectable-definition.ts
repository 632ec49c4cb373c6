import type { PackageDefinition } from '@grpc/proto-loader';
import type { Message } from 'protobufjs';
import { FileDescriptorProto } from 'protobufjs/ext/descriptor';

/**
 * A package definition whose file descriptors grpcurl (and any client built on Go's protobuf
 * runtime) can link. proto-loader regroups files by package and writes type references as they
 * stand in the .proto (`type.v3.HttpStatus`, relative to `envoy.service.auth.v3`) without listing
 * the files they come from, and @grpc/reflection 1.0.4 serves them as they are
 * (grpc/grpc-node#3034), so grpcurl fails with `cannot resolve type: "*.type.v3.HttpStatus"`.
 * Here every reference is made fully qualified (`.envoy.type.v3.HttpStatus`) and each file lists
 * the files it references as dependencies. Remove once @grpc/reflection does it itself.
 */

interface FieldLike {
  name?: string;
  typeName?: string;
  label?: number | string;
  defaultValue?: string;
  /** For an extension: the message it extends. */
  extendee?: string;
}
interface MessageLike {
  name?: string;
  extensionRange?: { start?: number; end?: number }[];
  reservedRange?: { start?: number; end?: number }[];
  options?: { mapEntry?: boolean };
  field?: FieldLike[];
  extension?: FieldLike[];
  nestedType?: MessageLike[];
  enumType?: { name?: string }[];
}
interface ServiceLike {
  method?: { inputType?: string; outputType?: string }[];
}
interface FileLike extends MessageLike {
  name?: string;
  package?: string;
  syntax?: string;
  dependency?: string[];
  messageType?: MessageLike[];
  service?: ServiceLike[];
}

/** protoc's name of a map field's entry message: the field's name in CamelCase, then `Entry`. */
function mapEntryName(field: string): string {
  return `${field.replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/_/g, '')}Entry`;
}

/**
 * Makes messages as protoc writes them: map entry messages named as protoc names them
 * (protobufjs calls the entry of `statuses` `Statuses`; Go's runtime refuses any name but
 * `StatusesEntry`), and no copies of extensions inside the message they extend (protobufjs adds
 * `.udpa.annotations.file_status` to FileOptions, a field that makes google/protobuf and udpa
 * import each other; the extension stays declared where it was, in udpa's file).
 */
function protocMessages(messages: MessageLike[] = []): void {
  for (const m of messages) {
    m.field = (m.field ?? []).filter((f) => !f.name?.startsWith('.'));
    // A descriptor's range ends after its last number; protobufjs writes a one-number range
    // (`extensions 536000000`) with its end on that number, an empty range Go refuses.
    for (const range of [...(m.extensionRange ?? []), ...(m.reservedRange ?? [])])
      if (range.start !== undefined && (range.end ?? 0) <= range.start) range.end = range.start + 1;
    for (const nested of m.nestedType ?? []) {
      if (!nested.options?.mapEntry) continue;
      const field = (m.field ?? []).find((f) => f.typeName === nested.name);
      if (!field?.name) continue;
      nested.name = mapEntryName(field.name);
      field.typeName = nested.name;
    }
    protocMessages(m.nestedType);
  }
}

/** Whether any field of the messages has proto2's defaults or `required`. */
function usesProto2(messages: MessageLike[] = []): boolean {
  return messages.some(
    (m) =>
      (m.field ?? []).some((f) => !!f.defaultValue || f.label === 2 || f.label === 'LABEL_REQUIRED') ||
      usesProto2(m.nestedType),
  );
}

/** Every message and enum name a file defines, fully qualified (no leading dot), into `symbols`. */
function indexSymbols(file: FileLike, symbols: Map<string, string>): void {
  const visit = (scope: string, messages: MessageLike[] = [], enums: { name?: string }[] = []) => {
    for (const e of enums) symbols.set(`${scope}${e.name}`, file.name ?? '');
    for (const m of messages) {
      symbols.set(`${scope}${m.name}`, file.name ?? '');
      visit(`${scope}${m.name}.`, m.nestedType, m.enumType);
    }
  };
  visit(file.package ? `${file.package}.` : '', file.messageType, file.enumType);
}

/** A reference resolved as protoc does: from the innermost scope outwards; undefined if unknown. */
function resolve(ref: string, scope: string, symbols: Map<string, string>): string | undefined {
  if (ref.startsWith('.')) return symbols.has(ref.slice(1)) ? ref.slice(1) : undefined;
  for (let at = scope; ; at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '') {
    const candidate = at ? `${at}.${ref}` : ref;
    if (symbols.has(candidate)) return candidate;
    if (!at) return undefined;
  }
}

/** Qualifies the file's references and lists its dependencies, in place. */
function linked(file: FileLike, symbols: Map<string, string>): void {
  const dependencies = new Set(file.dependency ?? []);
  const qualify = (ref: string | undefined, scope: string): string | undefined => {
    if (!ref) return ref;
    const found = resolve(ref, scope, symbols);
    if (found === undefined) return ref;
    const from = symbols.get(found);
    if (from && from !== file.name) dependencies.add(from);
    return `.${found}`;
  };
  const fields = (list: FieldLike[] | undefined, scope: string) => {
    // Only what is set: an empty string assigned would be written out as a present field.
    for (const f of list ?? []) {
      if (f.typeName) f.typeName = qualify(f.typeName, scope);
      if (f.extendee) f.extendee = qualify(f.extendee, scope);
    }
  };
  const visit = (scope: string, messages: MessageLike[] = []) => {
    for (const m of messages) {
      const inner = scope ? `${scope}.${m.name}` : (m.name ?? '');
      fields(m.field, inner);
      fields(m.extension, inner);
      visit(inner, m.nestedType);
    }
  };
  visit(file.package ?? '', file.messageType);
  fields(file.extension, file.package ?? '');
  for (const service of file.service ?? []) {
    for (const method of service.method ?? []) {
      method.inputType = qualify(method.inputType, file.package ?? '');
      method.outputType = qualify(method.outputType, file.package ?? '');
    }
  }
  file.dependency = [...dependencies];
}

/** The definition with every file descriptor linked (see the top of this file). */
export function reflectableDefinition(definition: PackageDefinition): PackageDefinition {
  const files = new Map<string, Message>();
  for (const entry of Object.values(definition)) {
    const protos = 'fileDescriptorProtos' in entry ? entry.fileDescriptorProtos : undefined;
    for (const bytes of Array.isArray(protos) ? protos : []) {
      const file = FileDescriptorProto.decode(bytes);
      const name = (file as FileLike).name;
      if (name && !files.has(name)) files.set(name, file);
    }
  }
  const symbols = new Map<string, string>();
  for (const file of files.values()) {
    const like = file as FileLike;
    protocMessages(like.messageType);
    // protobufjs writes every file as proto3, descriptor.proto and validate.proto included, whose
    // defaults and required fields proto3 cannot have.
    if (usesProto2(like.messageType)) like.syntax = 'proto2';
  }
  for (const file of files.values()) indexSymbols(file as FileLike, symbols);
  const encoded = new Map<string, Buffer>();
  for (const [name, file] of files) {
    // Changed in place: the decoded message keeps its type, so it encodes as it was read.
    linked(file as FileLike, symbols);
    encoded.set(name, Buffer.from(FileDescriptorProto.encode(file).finish()));
  }
  const out: PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    const protos: unknown = 'fileDescriptorProtos' in entry ? entry.fileDescriptorProtos : undefined;
    out[name] = Array.isArray(protos)
      ? ({
          ...entry,
          fileDescriptorProtos: (protos as Buffer[]).map(
            (bytes) => encoded.get((FileDescriptorProto.decode(bytes) as FileLike).name ?? '') ?? bytes,
          ),
        } as typeof entry)
      : entry;
  }
  return out;
}
