import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { FrameDecoder, FrameError, encodeFrame } from '@tillgate/host-link';
import {
  Iso8583Error,
  isCompositeSpec,
  pack,
  unpack,
  type IsoMessage,
  type MessageSpec,
} from '@tillgate/iso8583';
import { maskPanLike } from '@tillgate/platform';
import { CliUsageError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { commandGroup } from '../command-support';
import { maskPan, maskTrack2 } from '../emv/card-data.mask';
import { hexArgument } from '../emv/hex.argument';
import { renderTlvTree, tlvTree } from '../emv/tlv-tree';
import { messageFromJson, messageToJson } from './message-json';
import { DEFAULT_SPEC, specNamed } from './spec-registry';

interface CodecOptions {
  readonly spec: string;
  readonly framed?: boolean;
  readonly json?: boolean;
}

/** `tillgate iso8583`: decode and encode messages of a spec (default: the acquirer spec). */
export function iso8583Command(io: CliIo): Command {
  const iso = commandGroup(
    'iso8583',
    'ISO 8583 messages of the acquirer link (docs/iso8583.md)',
    io,
  );

  iso
    .command('decode')
    .description('decode a message from hex: one line per field, field 55 as a TLV tree')
    .argument('<hex>', 'the message: MTI, bitmaps, fields (spaces allowed)')
    .option('--spec <name>', 'message spec', DEFAULT_SPEC)
    .option('--framed', 'the hex starts with the host link 2-byte length header')
    .option('--json', 'print the JSON form that `encode` reads (card data as given, not masked)')
    .action((hex: string, opts: CodecOptions) => {
      const spec = specNamed(opts.spec);
      let bytes = hexArgument(hex, '<hex>');
      if (opts.framed) bytes = unframe(bytes);
      const message = codec(() => unpack(bytes, spec));
      if (opts.json) io.stdout(`${JSON.stringify(messageToJson(message, spec), null, 2)}\n`);
      else
        io.stdout(
          describe(message, spec)
            .map((line) => `${line}\n`)
            .join(''),
        );
    });

  iso
    .command('encode')
    .description('encode a message from its JSON form, print hex')
    .argument('<json>', 'the message as JSON, or @file to read it from a file')
    .option('--spec <name>', 'message spec', DEFAULT_SPEC)
    .option('--framed', 'prefix the host link 2-byte length header')
    .action((text: string, opts: CodecOptions) => {
      const spec = specNamed(opts.spec);
      const message = messageFromJson(parseJson(text), spec);
      const packed = codec(() => pack(message, spec));
      const out = opts.framed ? encodeFrame(packed, 0xffff) : packed;
      io.stdout(`${Buffer.from(out).toString('hex').toUpperCase()}\n`);
    });

  return iso;
}

function codec<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof Iso8583Error) throw new CliUsageError(error.message);
    throw error;
  }
}

function unframe(bytes: Uint8Array): Uint8Array {
  const frames: Uint8Array[] = [];
  const decoder = new FrameDecoder(0xffff);
  try {
    decoder.push(bytes, (frame) => frames.push(frame));
  } catch (error) {
    if (error instanceof FrameError) throw new CliUsageError(`--framed: ${error.message}`);
    throw error;
  }
  if (frames.length !== 1 || decoder.bufferedBytes !== 0) {
    throw new CliUsageError(
      `--framed: the length header does not match the ${bytes.length - 2} bytes that follow it`,
    );
  }
  return frames[0];
}

function parseJson(text: string): unknown {
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(text.slice(1), 'utf8');
    } catch {
      throw new CliUsageError(`cannot read ${text.slice(1)}`);
    }
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new CliUsageError(`<json> is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The readable view, for pasting into tickets: PAN and track 2 masked (and
 * any other PAN-like digit run), bytes in hex, field 55 as a tree. The JSON
 * view is exact, since `encode` reads it back.
 */
function describe(message: IsoMessage, spec: MessageSpec): string[] {
  const rule = spec.messages?.[message.mti];
  const lines = [`MTI ${message.mti}${rule ? `  ${rule.name}` : ''}`];
  const json = messageToJson(message, spec);
  const numbers = Object.keys(message.fields)
    .map(Number)
    .sort((a, b) => a - b);
  const width = Math.max(...numbers.map((n) => spec.fields[n].name.length));
  for (const n of numbers) {
    const fieldSpec = spec.fields[n];
    const label = `${String(n).padStart(3)} ${fieldSpec.name.padEnd(width)}`;
    const value = json.fields[String(n)];
    if (!isCompositeSpec(fieldSpec) && fieldSpec.content === 'ber-tlv') {
      lines.push(`${label}  [${(value as string).length / 2} bytes]`);
      lines.push(...renderTlvTree(tlvTree(Buffer.from(value as string, 'hex')), '      '));
    } else if (typeof value === 'string') {
      lines.push(
        `${label}  ${n === 2 ? maskPan(value) : n === 35 ? maskTrack2(value, '=') : maskPanLike(value)}`,
      );
    } else {
      lines.push(
        `${label}  ${Object.entries(value)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
    }
  }
  return lines;
}
