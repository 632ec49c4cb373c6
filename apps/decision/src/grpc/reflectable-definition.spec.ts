import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { FileDescriptorProto } from 'protobufjs/ext/descriptor';
import { protoRoot } from './proto-path';
import { reflectableDefinition } from './reflectable-definition';

interface Field {
  name: string;
  typeName?: string;
  extendee?: string;
}
interface Message {
  name: string;
  field?: Field[];
  nestedType?: Message[];
  enumType?: { name: string }[];
  options?: { mapEntry?: boolean };
  extensionRange?: { start: number; end: number }[];
}
interface File {
  name: string;
  package?: string;
  syntax?: string;
  dependency?: string[];
  messageType?: Message[];
  enumType?: { name: string }[];
  extension?: Field[];
  service?: { method?: { inputType: string; outputType: string }[] }[];
}

/** Every file descriptor of the definition, by name. */
function filesOf(definition: protoLoader.PackageDefinition): Map<string, File> {
  const files = new Map<string, File>();
  for (const entry of Object.values(definition)) {
    const protos: unknown = 'fileDescriptorProtos' in entry ? entry.fileDescriptorProtos : [];
    for (const bytes of protos as Buffer[]) {
      const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes), { enums: String }) as File;
      files.set(file.name, file);
    }
  }
  return files;
}

function definedIn(file: File): Set<string> {
  const names = new Set<string>();
  const visit = (scope: string, messages: Message[] = [], enums: { name: string }[] = []) => {
    for (const e of enums) names.add(`.${scope}${e.name}`);
    for (const m of messages) {
      names.add(`.${scope}${m.name}`);
      visit(`${scope}${m.name}.`, m.nestedType, m.enumType);
    }
  };
  visit(file.package ? `${file.package}.` : '', file.messageType, file.enumType);
  return names;
}

/** What Go's protodesc refuses when it links the files, as text; empty when every file links. */
function linkProblems(files: Map<string, File>): string[] {
  const problems: string[] = [];
  const defined = new Map([...files].map(([name, file]) => [name, definedIn(file)]));
  for (const [name, file] of files) {
    const visible = new Set([
      ...defined.get(name)!,
      ...(file.dependency ?? []).flatMap((d) => [...(defined.get(d) ?? [])]),
    ]);
    const check = (ref: string | undefined, what: string) => {
      if (!ref) return;
      if (!ref.startsWith('.')) problems.push(`${name}: ${what} ${ref} is not fully qualified`);
      else if (!visible.has(ref)) problems.push(`${name}: ${what} ${ref} is neither defined nor imported`);
    };
    const visit = (messages: Message[] = []) => {
      for (const m of messages) {
        for (const f of m.field ?? []) {
          if (f.name.startsWith('.')) problems.push(`${name}: ${m.name} holds extension ${f.name}`);
          check(f.typeName, `${m.name}.${f.name}`);
        }
        for (const nested of m.nestedType ?? [])
          if (nested.options?.mapEntry && !nested.name.endsWith('Entry'))
            problems.push(`${name}: map entry ${m.name}.${nested.name}`);
        for (const r of m.extensionRange ?? [])
          if (r.end <= r.start) problems.push(`${name}: ${m.name} has an empty extension range`);
        visit(m.nestedType);
      }
    };
    visit(file.messageType);
    for (const e of file.extension ?? []) check(e.extendee, `extension ${e.name} of`);
    for (const s of file.service ?? []) for (const m of s.method ?? []) check(m.inputType, 'input');
  }
  // Imports must not form a cycle: a client resolving them recursively would never end.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const walk = (name: string): void => {
    if (done.has(name)) return;
    if (visiting.has(name)) return void problems.push(`import cycle through ${name}`);
    visiting.add(name);
    for (const d of files.get(name)?.dependency ?? []) walk(d);
    visiting.delete(name);
    done.add(name);
  };
  for (const name of files.keys()) walk(name);
  return problems;
}

describe('reflectableDefinition', () => {
  const root = protoRoot();
  const options = { includeDirs: [root, `${root}/third_party`], keepCase: true };
  const definition = {
    ...protoLoader.loadSync(
      ['zt/decision/v1/decision.proto', 'envoy/service/auth/v3/external_auth.proto'],
      options,
    ),
    ...protoLoader.loadSync(healthProtoPath, options),
  };

  it('starts from descriptors Go cannot link (grpc/grpc-node#3034)', () => {
    expect(linkProblems(filesOf(definition)).length).toBeGreaterThan(0);
  });

  it('gives descriptors that link: qualified references, listed imports, no cycles, protoc map entries', () => {
    const files = filesOf(reflectableDefinition(definition));
    expect(linkProblems(files)).toEqual([]);
    expect(files.get('envoy_service_auth_v3.proto')?.dependency).toEqual(
      expect.arrayContaining(['envoy_type_v3.proto', 'envoy_config_core_v3.proto']),
    );
    expect(files.get('google_protobuf.proto')?.syntax).toBe('proto2');
  });

  it('keeps every service and message of the definition', () => {
    expect(Object.keys(reflectableDefinition(definition)).sort()).toEqual(Object.keys(definition).sort());
  });
});
