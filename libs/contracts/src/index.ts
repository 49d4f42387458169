export * from './generated';
export * from './grpc-client';
export * from './proto-files';
