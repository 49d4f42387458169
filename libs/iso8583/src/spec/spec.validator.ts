import { ENCODINGS, encodedLength, PREFIX_DIGITS } from '../codec/content-class';
import { Iso8583SpecError } from '../codec/iso8583.error';
import {
  isCompositeSpec,
  type FieldSpec,
  type LengthEncoding,
  type MessageSpec,
  type ScalarFieldSpec,
} from './field-spec.types';

const checked = new WeakSet<MessageSpec>();

function fail(path: string, message: string): never {
  throw new Iso8583SpecError(path, message);
}

/** Largest length a prefix can state. */
export function maxPrefixValue(
  type: Exclude<FieldSpec['type'], 'fixed'>,
  encoding: LengthEncoding,
): number {
  const digits = PREFIX_DIGITS[type];
  if (encoding === 'binary') return digits === 2 ? 0xff : 0xffff;
  return 10 ** digits - 1;
}

function checkLength(spec: FieldSpec, path: string): void {
  if (!['fixed', 'llvar', 'lllvar', 'llllvar'].includes(spec.type))
    fail(path, `unknown length type "${spec.type}"`);
  if (!Number.isInteger(spec.length) || spec.length < 1)
    fail(path, 'length must be a positive integer');
  if (spec.type !== 'fixed') {
    const encoding = spec.lengthEncoding ?? 'ascii';
    if (!['ascii', 'bcd', 'binary'].includes(encoding))
      fail(path, `unknown length encoding "${encoding}"`);
    if (spec.length > maxPrefixValue(spec.type, encoding)) {
      fail(path, `maximum length ${spec.length} does not fit a ${spec.type} ${encoding} prefix`);
    }
  }
}

function checkScalar(spec: ScalarFieldSpec, path: string): void {
  checkLength(spec, path);
  const allowed = ENCODINGS[spec.content];
  if (!allowed) fail(path, `unknown content class "${spec.content}"`);
  if (!allowed.includes(spec.encoding)) {
    fail(
      path,
      `content ${spec.content} cannot be encoded as ${spec.encoding} (allowed: ${allowed.join(', ')})`,
    );
  }
  if (spec.content === 'xn' && spec.length < 2)
    fail(path, 'an xn field needs the sign and at least one digit');
  if (spec.bcdPad !== undefined && spec.encoding !== 'bcd')
    fail(path, 'bcdPad applies to BCD fields only');
  if (spec.allowedLengths !== undefined) checkAllowedLengths(spec, path);
}

function checkAllowedLengths(spec: ScalarFieldSpec, path: string): void {
  const lengths = spec.allowedLengths ?? [];
  if (spec.type === 'fixed') fail(path, 'allowedLengths applies to variable-length fields only');
  if (lengths.length === 0) fail(path, 'allowedLengths must list at least one length');
  lengths.forEach((length, i) => {
    if (!Number.isInteger(length) || length < 0 || length > spec.length)
      fail(path, `allowed length ${length} is not an integer from 0 to ${spec.length}`);
    if (i > 0 && length <= lengths[i - 1]) fail(path, 'allowedLengths must be strictly ascending');
  });
}

function checkField(spec: FieldSpec, path: string): void {
  if (typeof spec.name !== 'string' || spec.name.length === 0) fail(path, 'a field needs a name');
  if (!isCompositeSpec(spec)) {
    if (spec.content === 'ber-tlv') {
      checkLength(spec, path);
      if ('allowedLengths' in spec) fail(path, 'allowedLengths applies to scalar fields only');
      if (spec.encoding !== 'binary') fail(path, 'ber-tlv fields are binary');
      return;
    }
    checkScalar(spec, path);
    return;
  }
  checkLength(spec, path);
  if ('allowedLengths' in spec) fail(path, 'allowedLengths applies to scalar fields only');
  if (spec.subfields.length === 0) fail(path, 'a composite field needs subfields');
  const ids = new Set<string>();
  let fixedBytes = 0;
  let allFixed = true;
  spec.subfields.forEach((sub, i) => {
    const subPath = `${path}.subfields[${i}]`;
    if (!sub.id || ids.has(sub.id)) fail(subPath, `subfield id "${sub.id}" missing or repeated`);
    ids.add(sub.id);
    if ('subfields' in sub) fail(subPath, 'subfields cannot nest');
    checkScalar(sub, subPath);
    if (sub.type === 'fixed') fixedBytes += encodedLength(sub.length, sub.encoding);
    else allFixed = false;
  });
  if (spec.type === 'fixed' && allFixed && fixedBytes !== spec.length) {
    fail(path, `fixed subfields take ${fixedBytes} bytes but the field is ${spec.length}`);
  }
}

/**
 * Checks a message spec once (cached per object): field numbers, content
 * classes against encodings, prefix capacities, composite layouts and message
 * rules. Throws {@link Iso8583SpecError}.
 */
export function validateMessageSpec(spec: MessageSpec): MessageSpec {
  if (checked.has(spec)) return spec;
  const maxBitmaps = spec.maxBitmaps ?? 2;
  if (maxBitmaps !== 2 && maxBitmaps !== 3) fail('maxBitmaps', 'must be 2 or 3');
  if (spec.mtiEncoding !== 'ascii' && spec.mtiEncoding !== 'bcd')
    fail('mtiEncoding', 'must be ascii or bcd');
  if (spec.bitmapEncoding !== 'binary' && spec.bitmapEncoding !== 'hex')
    fail('bitmapEncoding', 'must be binary or hex');
  for (const [key, field] of Object.entries(spec.fields)) {
    const n = Number(key);
    if (!Number.isInteger(n) || n < 2 || n > 64 * maxBitmaps)
      fail(`fields.${key}`, `field number must be 2-${64 * maxBitmaps}`);
    if (n === 65 && maxBitmaps === 3) fail('fields.65', 'bit 65 announces the tertiary bitmap');
    checkField(field, `fields.${key}`);
  }
  for (const [mti, rule] of Object.entries(spec.messages ?? {})) {
    if (!/^\d{4}$/.test(mti)) fail(`messages.${mti}`, 'MTI must be four digits');
    const all = [...rule.mandatory, ...rule.optional];
    for (const n of all) {
      if (!spec.fields[n]) fail(`messages.${mti}`, `field ${n} is not defined`);
    }
    if (new Set(all).size !== all.length) fail(`messages.${mti}`, 'a field is listed twice');
  }
  checked.add(spec);
  return spec;
}
