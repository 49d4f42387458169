import { NETWORK_MANAGEMENT_CODE, networkManagementResponse } from '@tillgate/host-link';
import type { IsoMessage } from '@tillgate/iso8583';
import { text } from '../messages/message-fields';

const KNOWN_CODES = new Set<string>(Object.values(NETWORK_MANAGEMENT_CODE));

/**
 * 0800: sign-on (001), sign-off (002) and echo test (301) are answered 00;
 * other field 70 codes 12. The simulator keeps no sign-on state: financial
 * messages are processed whether or not the connection signed on.
 */
export class NetworkManagementHandler {
  handle(request: IsoMessage): IsoMessage {
    return networkManagementResponse(
      request,
      KNOWN_CODES.has(text(request, 70) ?? '') ? '00' : '12',
    );
  }
}
