import { Secret } from '@tillgate/crypto';
import { mtiRole } from '@tillgate/host-link';
import type { IsoMessage } from '@tillgate/iso8583';
import { createLogger, type Logger } from '@tillgate/platform';
import { AuthorizationHandler } from '../authorization/authorization.handler';
import type { ZonePinBlockFormat } from '../authorization/pin.verifier';
import type { CardAccount } from '../cards/card-account';
import { CardDatabase } from '../cards/card-database';
import { ApprovalJournal } from '../journal/approval.journal';
import { NetworkManagementHandler } from '../network/network-management.handler';
import { ReversalHandler } from '../reversal/reversal.handler';
import { TransactionLog } from '../transactions/transaction-log';

export interface SimulatedIssuerOptions {
  readonly cards: readonly CardAccount[];
  /** Zone PIN key (2- or 3-key TDES) an 8-byte field 52 is enciphered under. A clear test key. */
  readonly zonePinKey: Buffer | Secret<Buffer>;
  /** ISO 9564 format of an 8-byte field 52. Default 0. */
  readonly pinBlockFormat?: ZonePinBlockFormat;
  /**
   * Zone PIN key (AES-128, -192 or -256) a 16-byte field 52 is enciphered
   * under, in ISO 9564 format 4: the PINs of AES DUKPT terminals. A clear
   * test key. Without it, a 16-byte field 52 is answered 96.
   */
  readonly aesZonePinKey?: Buffer | Secret<Buffer>;
  /** Also append journal entries to this JSON-lines file. */
  readonly journalFile?: string;
  /**
   * 0 (default): each entry is in the file before its response is sent.
   * Above 0: entries are written in batches at most this many ms apart (and
   * at `close`): one write per interval instead of one per entry.
   */
  readonly journalFlushIntervalMs?: number;
  /** Default: the system clock. Expiry and daily limits use its UTC date. */
  readonly now?: () => Date;
  readonly logger?: Logger;
}

const TDES_KEY_LENGTHS = new Set([16, 24]);
const AES_KEY_LENGTHS = new Set([16, 24, 32]);
const secret = (key: Buffer | Secret<Buffer>): Secret<Buffer> =>
  key instanceof Secret ? key : new Secret(key);

/**
 * The issuer's processing, without any transport: ISO 8583 request in,
 * response out. State (balances, PIN tries, ATCs, answered transactions,
 * journal) lives in memory for the life of the instance.
 */
export class SimulatedIssuer {
  readonly cards: CardDatabase;
  readonly transactions = new TransactionLog();
  readonly journal: ApprovalJournal;
  private readonly authorization: AuthorizationHandler;
  private readonly reversal: ReversalHandler;
  private readonly networkManagement = new NetworkManagementHandler();

  constructor(options: SimulatedIssuerOptions) {
    const zonePinKey = secret(options.zonePinKey);
    if (!TDES_KEY_LENGTHS.has(zonePinKey.expose().length)) {
      throw new RangeError('the zone PIN key must be a 16- or 24-byte TDES key');
    }
    const aesZonePinKey =
      options.aesZonePinKey === undefined ? undefined : secret(options.aesZonePinKey);
    if (aesZonePinKey && !AES_KEY_LENGTHS.has(aesZonePinKey.expose().length)) {
      throw new RangeError('the AES zone PIN key must be a 16-, 24- or 32-byte AES key');
    }
    this.cards = new CardDatabase(options.cards);
    const now = options.now ?? (() => new Date());
    const logger = options.logger ?? createLogger({ name: 'issuer-simulator' });
    this.journal = new ApprovalJournal(options.journalFile, {
      flushIntervalMs: options.journalFlushIntervalMs,
      onWriteError: (error) => logger.error({ err: error }, 'journal file write failed'),
    });
    let authCodes = 0;
    this.authorization = new AuthorizationHandler({
      cards: this.cards,
      transactions: this.transactions,
      journal: this.journal,
      zonePinKeys: {
        tdes: zonePinKey,
        tdesFormat: options.pinBlockFormat ?? 0,
        ...(aesZonePinKey ? { aes: aesZonePinKey } : {}),
      },
      now,
      nextAuthCode: () => String((authCodes = (authCodes % 999_999) + 1)).padStart(6, '0'),
      logger,
    });
    this.reversal = new ReversalHandler({
      transactions: this.transactions,
      journal: this.journal,
      now,
      logger,
    });
  }

  /** Writes the journal's buffered entries and closes its file, if any. */
  close(): void {
    this.journal.close();
  }

  /** The response to a request or advice; undefined for messages that get none (responses, notifications). */
  handle(request: IsoMessage): IsoMessage | undefined {
    if (mtiRole(request.mti) !== 'request') return undefined;
    switch (request.mti.slice(0, 2)) {
      case '01':
      case '02':
        return this.authorization.handle(request);
      case '04':
        return this.reversal.handle(request);
      case '08':
        return this.networkManagement.handle(request);
      default:
        return undefined;
    }
  }
}
