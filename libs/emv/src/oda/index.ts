export { OdaError, type OdaErrorCode } from './oda.error';
export * from './oda.types';
export { type RsaPublicKey, type RsaPrivateKey, isEmvExponent } from './rsa';
export * from './ca-public-key';
export * from './public-key.recovery';
export * from './signed-data.verifier';
export * from './static-data.builder';
