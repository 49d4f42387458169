export * from './tlv.types';
export { TlvError, type TlvErrorCode } from './tlv.error';
export { isConstructedTag } from './tlv-tag';
export { decodeTlv, decodeSingleTlv, scanTlv, encodeTlv, encodeLength } from './tlv.codec';
export * from './tlv.query';
