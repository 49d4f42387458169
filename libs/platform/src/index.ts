export * from './config';
export * from './logging';
export * from './metrics';
export * from './grpc';
export * from './version';
export * from './service';
