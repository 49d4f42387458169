import { TlvError, decodeTlv, encodeTlv, toHex, type TlvNode } from '@tillgate/emv';
import {
  isCompositeSpec,
  type FieldSpec,
  type FieldValue,
  type IsoMessage,
  type MessageSpec,
} from '@tillgate/iso8583';
import { CliUsageError } from '../../cli-error';

/**
 * The JSON form of a message on the command line: field numbers as keys;
 * text fields as strings; binary fields (b) and BER-TLV fields (55) as
 * upper-case hex; composite fields as objects of strings. `decode --json`
 * prints it and `encode` reads it, so the two round-trip.
 */
export interface MessageJson {
  readonly mti: string;
  readonly fields: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
}

type FieldKind = 'text' | 'binary' | 'tlv' | 'composite';

function kindOf(spec: FieldSpec): FieldKind {
  if (isCompositeSpec(spec)) return 'composite';
  if (spec.content === 'ber-tlv') return 'tlv';
  return spec.content === 'b' ? 'binary' : 'text';
}

export function messageToJson(message: IsoMessage, spec: MessageSpec): MessageJson {
  const fields: Record<string, string | Record<string, string>> = {};
  for (const [n, value] of Object.entries(message.fields)) {
    const fieldSpec = spec.fields[Number(n)];
    switch (fieldSpec ? kindOf(fieldSpec) : 'text') {
      case 'binary':
        fields[n] = toHex(value as Uint8Array);
        break;
      case 'tlv':
        fields[n] = toHex(encodeTlv(value as readonly TlvNode[]));
        break;
      case 'composite': {
        const parts = value as Readonly<Record<string, string | Uint8Array>>;
        fields[n] = Object.fromEntries(
          Object.entries(parts).map(([k, v]) => [k, typeof v === 'string' ? v : toHex(v)]),
        );
        break;
      }
      case 'text':
        fields[n] = value as string;
        break;
    }
  }
  return { mti: message.mti, fields };
}

const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/** Reads the JSON form; every problem names the property (`fields.52`). */
export function messageFromJson(json: unknown, spec: MessageSpec): IsoMessage {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CliUsageError('the message must be a JSON object { "mti": ..., "fields": { ... } }');
  }
  const { mti, fields } = json as { mti?: unknown; fields?: unknown };
  if (typeof mti !== 'string') throw new CliUsageError('mti must be a string such as "0200"');
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new CliUsageError('fields must be an object keyed by field number');
  }
  const out: Record<number, FieldValue> = {};
  for (const [key, value] of Object.entries(fields)) {
    const where = `fields.${key}`;
    const n = Number(key);
    if (!/^\d{1,3}$/.test(key) || !spec.fields[n]) {
      throw new CliUsageError(`${where}: spec "${spec.name}" has no field ${key}`);
    }
    const kind = kindOf(spec.fields[n]);
    if (kind === 'composite') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new CliUsageError(`${where}: expected an object of subfields`);
      }
      for (const [id, part] of Object.entries(value)) {
        if (typeof part !== 'string') throw new CliUsageError(`${where}.${id}: expected a string`);
      }
      out[n] = value as Record<string, string>;
      continue;
    }
    if (typeof value !== 'string') throw new CliUsageError(`${where}: expected a string`);
    if (kind === 'text') {
      out[n] = value;
      continue;
    }
    if (!HEX.test(value))
      throw new CliUsageError(`${where}: expected an even number of hex digits`);
    const bytes = new Uint8Array(Buffer.from(value, 'hex'));
    if (kind === 'binary') {
      out[n] = bytes;
      continue;
    }
    try {
      out[n] = decodeTlv(bytes);
    } catch (error) {
      if (error instanceof TlvError)
        throw new CliUsageError(`${where}: not valid BER-TLV: ${error.message}`);
      throw error;
    }
  }
  return { mti, fields: out };
}
