import type { gatewayV1 } from '@tillgate/contracts';

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

export interface GatewayOptions {
  version: string;
  /** Tenders whose modules this process hosts. */
  enabledTenders: gatewayV1.Tender[];
  storage: 'sqlite' | 'postgres';
  eventPublishing: boolean;
  startedAt: number;
  clock: () => number;
}
