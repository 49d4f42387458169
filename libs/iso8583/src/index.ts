// Public API of @tillgate/iso8583: the spec types, the default acquirer spec,
// the codec and its errors.
export * from './spec/field-spec.types';
export { validateMessageSpec } from './spec/spec.validator';
export { ACQUIRER_SPEC, ACQUIRER_FIELDS, ACQUIRER_MESSAGES } from './spec/acquirer.spec-def';
export { Iso8583Error, Iso8583SpecError, type Iso8583ErrorCode } from './codec/iso8583.error';
export { pack, unpack } from './codec/message.codec';
