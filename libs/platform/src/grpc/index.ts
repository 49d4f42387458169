export * from './grpc-error';
export * from './grpc-exception.filter';
