import { join } from 'node:path';

/** Absolute path of the repository's proto/ folder (the single source of truth). */
export const PROTO_ROOT = join(__dirname, '..', '..', '..', 'proto');

/**
 * Options for @grpc/proto-loader that make runtime-decoded messages match the
 * ts-proto generated types: camelCase fields, 64-bit integers as strings,
 * enums as numbers, defaults present.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** Path of a .proto file relative to proto/, e.g. `tillgate/gateway/v1/gateway.proto`. */
export function protoPath(relativePath: string): string {
  return join(PROTO_ROOT, relativePath);
}
