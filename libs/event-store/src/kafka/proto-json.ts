import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import {
  create,
  createFileRegistry,
  fromBinary,
  toJson,
  type FileRegistry,
  type JsonValue,
} from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import type { StoredEvent } from '../store/event.types';

function protoFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return protoFiles(root, full);
    return name.endsWith('.proto') ? [relative(root, full)] : [];
  });
}

// protoc's json_name: snake_case field names become lowerCamelCase.
const jsonName = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function messagesOf(
  messages: DescriptorProto[],
  scope: string,
): { name: string; message: DescriptorProto }[] {
  return messages.flatMap((message) => [
    { name: `${scope}.${message.name}`, message },
    ...messagesOf(message.nestedType, `${scope}.${message.name}`),
  ]);
}

/**
 * Every message under `protoRoot` (the repository's proto/), for decoding
 * payloads by name into canonical protobuf JSON. Descriptors come from
 * @grpc/proto-loader (protobufjs), which leaves three things to fix here:
 * json_name is empty (made from the field name), type references may be
 * relative to the message (resolved outward, as protoc does), and a file's
 * imports are not listed (files are ordered so each comes after those it uses).
 */
export function loadProtoRegistry(protoRoot: string): FileRegistry {
  const definition = loadSync(protoFiles(protoRoot), { includeDirs: [protoRoot] });
  const files = new Map<string, FileDescriptorProto>();
  for (const entry of Object.values(definition)) {
    for (const bytes of (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? []) {
      const file = fromBinary(FileDescriptorProtoSchema, bytes);
      files.set(file.name, file);
    }
  }
  const owner = new Map<string, string>(); // fully qualified type -> file that defines it
  for (const file of files.values()) {
    for (const e of file.enumType) owner.set(`.${file.package}.${e.name}`, file.name);
    for (const { name, message } of messagesOf(file.messageType, `.${file.package}`)) {
      owner.set(name, file.name);
      for (const e of message.enumType) owner.set(`${name}.${e.name}`, file.name);
    }
  }
  const resolve = (typeName: string, scope: string): string => {
    if (typeName.startsWith('.')) return typeName;
    for (let s = scope; s; s = s.slice(0, s.lastIndexOf('.'))) {
      if (owner.has(`${s}.${typeName}`)) return `${s}.${typeName}`;
    }
    return `.${typeName}`;
  };
  const uses = new Map<string, Set<string>>();
  for (const file of files.values()) {
    const used = new Set<string>();
    for (const { name, message } of messagesOf(file.messageType, `.${file.package}`)) {
      for (const field of message.field) {
        field.jsonName ||= jsonName(field.name);
        if (field.typeName) {
          field.typeName = resolve(field.typeName, name);
          used.add(field.typeName);
        }
      }
    }
    uses.set(file.name, used);
  }
  const ordered: FileDescriptorProto[] = [];
  const placed = new Set<string>();
  const place = (name: string, path: Set<string>) => {
    if (placed.has(name) || path.has(name)) return;
    path.add(name);
    for (const type of uses.get(name) ?? []) {
      const file = owner.get(type);
      if (file && file !== name) place(file, path);
    }
    placed.add(name);
    ordered.push(files.get(name) as FileDescriptorProto);
  };
  for (const name of files.keys()) place(name, new Set());
  return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
}

/** A payload as canonical protobuf JSON, or null when `type` is not in the registry. */
export function payloadToJson(
  registry: FileRegistry,
  type: string,
  payload: Uint8Array,
): JsonValue | null {
  const schema = registry.getMessage(type);
  return schema ? toJson(schema, fromBinary(schema, payload)) : null;
}

/** A stored event as a JSON object, its payload decoded when its type is known (else `payloadBase64`). */
export function eventToJson(registry: FileRegistry, event: StoredEvent): Record<string, JsonValue> {
  const payload = payloadToJson(registry, event.type, event.payload);
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    position: event.position.toString(),
    eventType: event.type,
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
    correlationId: event.correlationId,
    causationId: event.causationId,
    merchantId: event.merchantId,
    ...(payload === null
      ? { payloadBase64: Buffer.from(event.payload).toString('base64') }
      : { payload }),
  };
}
