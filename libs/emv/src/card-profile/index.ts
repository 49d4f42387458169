export * from './card-profile.types';
export * from './card-profile.generator';
export * from './card-profile.serializer';
export * from './emv.signer';
export * from './random.source';
export * from './rsa-key.factory';
