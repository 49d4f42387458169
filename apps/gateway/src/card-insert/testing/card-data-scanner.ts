import { buildPinBlock } from '@tillgate/crypto';
import type { Client } from 'pg';
import type { TappedRecord } from './kafka-tap';

/** One thing that must never be found, under a name a report can show (never the value). */
export interface Needle {
  readonly name: string;
  /** Lower-case; matched case-insensitively against text and against hex renderings. */
  readonly value: string;
}

/** Something scanned: its text as written, and its bytes as hex where it is binary. */
export interface Haystack {
  readonly where: string;
  readonly text: string;
}

export interface Hit {
  readonly needle: string;
  readonly where: string;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const asciiHex = (text: string) => Buffer.from(text, 'latin1').toString('hex');

/** The card data a terminal sent for one card, in every form it could leak in. */
export function cardNeedles(
  label: string,
  card: { pan: string; track2: Uint8Array; pin: string },
): Needle[] {
  // Tag 57 value: PAN, separator D, expiry, service code, discretionary data, F fill.
  const track2Digits = hex(card.track2).toLowerCase().replace(/f+$/, '');
  const separator = track2Digits.indexOf('d');
  const withEquals = `${track2Digits.slice(0, separator)}=${track2Digits.slice(separator + 1)}`;
  const clearPinBlock = hex(buildPinBlock({ format: 0, pin: card.pin, pan: card.pan }));
  return [
    // The PAN as digits (text, or BCD in a hex dump of bytes) and as ASCII bytes.
    { name: `${label} PAN`, value: card.pan },
    { name: `${label} PAN as ASCII hex`, value: asciiHex(card.pan) },
    // Track 2 with its D separator (its BCD bytes in hex read the same) or "=" (magnetic stripe text).
    { name: `${label} track 2 (D)`, value: track2Digits },
    { name: `${label} track 2 (=)`, value: withEquals },
    { name: `${label} track 2 as ASCII hex (D)`, value: asciiHex(track2Digits.toUpperCase()) },
    { name: `${label} track 2 as ASCII hex (=)`, value: asciiHex(withEquals.toUpperCase()) },
    { name: `${label} clear PIN block (format 0)`, value: clearPinBlock },
    { name: `${label} clear PIN block as ASCII hex`, value: asciiHex(clearPinBlock.toUpperCase()) },
  ].map((n) => ({ ...n, value: n.value.toLowerCase() }));
}

/** Bytes the terminal sent encrypted (PIN block, track 2 cryptogram): found neither as bytes nor as hex text. */
export function ciphertextNeedles(label: string, bytes: Uint8Array): Needle[] {
  if (bytes.length === 0) return [];
  const h = hex(bytes);
  return [
    { name: `${label}`, value: h },
    { name: `${label} as ASCII hex`, value: asciiHex(h) },
    { name: `${label} as base64`, value: Buffer.from(bytes).toString('base64').toLowerCase() },
  ];
}

/** Every needle found in every haystack: text compared case-insensitively. */
export function findLeaks(haystacks: readonly Haystack[], needles: readonly Needle[]): Hit[] {
  const hits: Hit[] = [];
  for (const haystack of haystacks) {
    const text = haystack.text.toLowerCase();
    for (const needle of needles)
      if (text.includes(needle.value)) hits.push({ needle: needle.name, where: haystack.where });
  }
  return hits;
}

/** A record as text (key, value and headers read as Latin-1) and as hex (the same bytes). */
export function recordHaystack(record: TappedRecord): Haystack {
  const parts = [
    record.key,
    record.value,
    ...Object.entries(record.headers).flatMap(([k, v]) => [Buffer.from(k), v]),
  ];
  return {
    where: `kafka ${record.topic}/${record.partition}@${record.offset}`,
    text: parts.map((p) => `${p.toString('latin1')}\n${p.toString('hex')}`).join('\n'),
  };
}

/**
 * Every row of every table of the database (all schemas but the system
 * ones) as JSON: text columns as they are, bytea as `\x` hex, so both the
 * text and the hex forms of the needles are found.
 */
export async function databaseHaystacks(client: Client): Promise<Haystack[]> {
  const { rows: tables } = await client.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const haystacks: Haystack[] = [];
  for (const table of tables) {
    const { rows } = await client.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM "${table.schema}"."${table.name}" t`,
    );
    for (const [i, row] of rows.entries()) {
      // bytea also as Latin-1 text: a PAN in a protobuf payload is readable there.
      const latin1 = row.row.replace(/\\\\x([0-9a-f]+)/gi, (_, h: string) =>
        Buffer.from(h, 'hex').toString('latin1'),
      );
      haystacks.push({
        where: `table ${table.schema}.${table.name} row ${i}`,
        text: `${row.row}\n${latin1}`,
      });
    }
  }
  return haystacks;
}

/** Log output, line by line. */
export function logHaystacks(source: string, text: string): Haystack[] {
  return text.split('\n').map((line, i) => ({ where: `${source} log line ${i + 1}`, text: line }));
}

/** How many tables and rows a database scan covered (a scan of nothing proves nothing). */
export function tablesCovered(haystacks: readonly Haystack[]): Set<string> {
  return new Set(haystacks.map((h) => h.where.replace(/ row \d+$/, '')));
}
