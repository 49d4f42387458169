import { Controller, Inject } from '@nestjs/common';
import { gatewayV1 } from '@tillgate/contracts';
import { GATEWAY_OPTIONS, GatewayOptions } from '../gateway.options';

@Controller()
@gatewayV1.GatewayServiceControllerMethods()
export class ServerInfoController implements gatewayV1.GatewayServiceController {
  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions) {}

  getServerInfo(): gatewayV1.GetServerInfoResponse {
    return {
      version: this.options.version,
      enabledTenders: [...this.options.enabledTenders].sort((a, b) => a - b),
      storage: this.options.storage,
      eventPublishing: this.options.eventPublishing,
      uptimeSeconds: String(Math.floor((this.options.clock() - this.options.startedAt) / 1000)),
    };
  }
}
