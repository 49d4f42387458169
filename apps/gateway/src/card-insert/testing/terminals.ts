import { createGrpcClient, cardInsertV1 } from '@tillgate/contracts';
import {
  InMemoryTerminalStateStore,
  Terminal,
  cardInsertApiOf,
  type CardInsertApi,
  injectInitialKey,
  testTerminalKey,
} from '@tillgate/terminal-sim';
import { TERMINAL_TIMEOUT_MS } from './gateway.process';

/**
 * The POS terminals of a run: the terminal simulator's `Terminal` (EMV flow,
 * DUKPT TDES, MACed requests, response MAC and ARPC checks), one per
 * terminal id, each with its state kept across gateway restarts.
 */
export class TerminalFleet {
  private readonly clients: { close(): void }[] = [];
  /**
   * One state for the whole fleet, as the CLI's state file: per terminal
   * (KSN, STAN, last request) and per card (its ATC: a card inserted in
   * another terminal goes on counting, and the issuer refuses an ATC it saw).
   */
  private readonly state = new InMemoryTerminalStateStore();

  constructor(private gatewayAddress: string) {}

  /** After a gateway restart on another port. */
  pointAt(gatewayAddress: string): void {
    this.gatewayAddress = gatewayAddress;
  }

  /** Terminal TERM000n, with the terminal's deadline on every call. */
  terminal(n: number, options: { wrap?: (api: CardInsertApi) => CardInsertApi } = {}): Terminal {
    const client = createGrpcClient(cardInsertV1.CardInsertServiceService, this.gatewayAddress, {
      deadlineMs: TERMINAL_TIMEOUT_MS,
    });
    this.clients.push(client);
    return new Terminal({
      terminalId: `TERM${String(n).padStart(4, '0')}`,
      key: injectInitialKey(testTerminalKey('tdes', n)),
      gateway: (options.wrap ?? ((api) => api))(cardInsertApiOf(client)),
      state: this.state,
    });
  }

  /** The gateway's CardInsertService as a terminal calls it, to send hand-made requests. */
  api(): CardInsertApi {
    const client = createGrpcClient(cardInsertV1.CardInsertServiceService, this.gatewayAddress, {
      deadlineMs: TERMINAL_TIMEOUT_MS,
    });
    this.clients.push(client);
    return cardInsertApiOf(client);
  }

  close(): void {
    for (const client of this.clients.splice(0)) client.close();
  }
}
