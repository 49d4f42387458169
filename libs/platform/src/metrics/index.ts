export * from './metrics-server';
export * from './grpc-metrics.interceptor';
