import {
  OdaError,
  TVR,
  buildDolData,
  buildStaticDataToBeAuthenticated,
  calendarDateFromYymmdd,
  decodeAip,
  decodeCvmList,
  decodeTlv,
  encodeTlv,
  encodeTsi,
  flattenTlv,
  parseAfl,
  primitive,
  retrieveIccPublicKey,
  retrieveIssuerPublicKey,
  verifyDynamicSignature,
  verifySignedStaticApplicationData,
  type CaPublicKey,
  type ReadRecordResponse,
  type Tag,
  type TlvNode,
  type TsiFlag,
  type TvrFlag,
} from '@tillgate/emv';
import type { ArpcCheck } from '@tillgate/issuer-simulator';
import type { GenerateAcResponse, SimulatedCard } from '../card/simulated-card';
import { selectCvm, type CvmOutcome, type TerminalCvmCapabilities } from './cvm-selection';

/**
 * The terminal's EMV kernel for a contact chip card, up to the online
 * authorization and back: EMV Book 3 §10 (application selection, read
 * application data, offline data authentication, processing restrictions,
 * cardholder verification, terminal risk management, terminal action
 * analysis, first GENERATE AC) and §10.9-10.11 after the issuer answered
 * (issuer authentication, second GENERATE AC). An online-only terminal:
 * it never approves offline.
 */

export interface KernelConfig {
  /** 9F1A, ISO 3166 numeric. */
  readonly countryCode: string;
  /** 9F35: '22' attended, online only. */
  readonly terminalType: string;
  /** 9F33: IC; enciphered PIN online, signature, no CVM; SDA, DDA, CDA. */
  readonly terminalCapabilities: string;
  /** Transactions at or above go online (TVR "floor limit exceeded"); 0 for an online-only terminal. */
  readonly floorLimitMinor: bigint;
  readonly cvm: TerminalCvmCapabilities;
  /** The payment systems' CA public keys the terminal holds, by RID and index. */
  readonly caKeys: readonly CaPublicKey[];
  /**
   * Perform offline data authentication. Off only for load generation, where
   * the simulated card's RSA work would dominate the terminal's CPU; the TVR
   * then says "ODA not performed", as a terminal without ODA would.
   */
  readonly offlineDataAuthentication: boolean;
}

export const DEFAULT_KERNEL_CONFIG: Omit<KernelConfig, 'caKeys'> = {
  countryCode: '156',
  terminalType: '22',
  terminalCapabilities: 'E0F8C8',
  floorLimitMinor: 0n,
  cvm: { encipheredPinOnline: true, signature: true, noCvm: true },
  offlineDataAuthentication: true,
};

export interface EmvTransaction {
  readonly amountMinor: bigint;
  /** ISO 4217 numeric, 3 digits. */
  readonly currencyNumeric: string;
  /** 9C: '00' goods and services. */
  readonly transactionType: string;
  /** The terminal's local date of the transaction. */
  readonly date: Date;
  /** The cardholder typed a PIN at the PIN pad. */
  readonly pinEntered: boolean;
  /** 9F37, 4 bytes. */
  readonly unpredictableNumber: Uint8Array;
}

export type OdaMethod = 'dda' | 'sda' | 'none';

export interface FirstAcResult {
  readonly aid: Uint8Array;
  readonly applicationLabel: string;
  readonly pan: string;
  /** Tag 57 as the card holds it. Sensitive: encrypt it, never print it. */
  readonly track2: Uint8Array;
  readonly oda: { readonly method: OdaMethod; readonly ok: boolean; readonly reason?: string };
  readonly cvm: CvmOutcome;
  readonly tvr: Uint8Array;
  readonly tsi: Uint8Array;
  readonly ac: GenerateAcResponse;
  /** ISO 8583 field 55 for the authorization request. */
  readonly iccData: Buffer;
  /** Terminal and card data of this transaction, for the second GENERATE AC. */
  readonly data: ReadonlyMap<Tag, Uint8Array>;
  readonly tvrFlags: ReadonlySet<TvrFlag>;
  readonly tsiFlags: ReadonlySet<TsiFlag>;
}

/** The card or the terminal stopped the transaction before it could go online. */
export class EmvTransactionError extends Error {
  override readonly name = 'EmvTransactionError';
}

const bcd = (digits: string, bytes: number): Uint8Array =>
  Buffer.from(digits.padStart(bytes * 2, '0'), 'hex');

function yymmdd(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getFullYear() % 100)}${two(date.getMonth() + 1)}${two(date.getDate())}`;
}

/** Application selection through the PSE (Book 1 §12.3), the highest priority application the terminal supports. */
function selectApplication(card: SimulatedCard): { aid: Uint8Array; label: string } {
  const candidates = [...card.selectPse()].sort((a, b) => a.priority - b.priority);
  const chosen = candidates[0];
  if (!chosen) throw new EmvTransactionError('the card has no application the terminal supports');
  const { label } = card.selectApplication(chosen.aid);
  return { aid: chosen.aid, label };
}

/** Read application data (Book 3 §10.2): every record the AFL names. */
function readRecords(card: SimulatedCard, afl: Uint8Array): ReadRecordResponse[] {
  const records: ReadRecordResponse[] = [];
  for (const entry of parseAfl(afl)) {
    for (let record = entry.firstRecord; record <= entry.lastRecord; record++) {
      records.push({ sfi: entry.sfi, record, data: card.readRecord(entry.sfi, record) });
    }
  }
  return records;
}

/**
 * Offline data authentication by DDA (Book 2 §6): issuer key from the CA
 * key, ICC key over the static data, then the card's dynamic signature over
 * the terminal's unpredictable number. SDA when the card cannot do DDA.
 */
function authenticateOffline(
  card: SimulatedCard,
  config: KernelConfig,
  aid: Uint8Array,
  aip: Uint8Array,
  afl: Uint8Array,
  records: readonly ReadRecordResponse[],
  objects: ReadonlyMap<Tag, Uint8Array>,
  terminal: ReadonlyMap<Tag, Uint8Array>,
  today: Date,
): FirstAcResult['oda'] {
  const profile = decodeAip(aip);
  const method: OdaMethod = profile.ddaSupported ? 'dda' : profile.sdaSupported ? 'sda' : 'none';
  if (!config.offlineDataAuthentication) {
    return { method: 'none', ok: false, reason: 'not performed (terminal configuration)' };
  }
  if (method === 'none') return { method, ok: false, reason: 'the card supports no ODA' };
  try {
    const rid = Buffer.from(aid.subarray(0, 5));
    const index = objects.get('8F')?.[0];
    const caPublicKey = config.caKeys.find(
      (k) => Buffer.from(k.rid).equals(rid) && k.index === index,
    );
    if (!caPublicKey) {
      return { method, ok: false, reason: `no CA public key ${rid.toString('hex')}/${index}` };
    }
    const date = calendarDateFromYymmdd(yymmdd(today));
    const need = (tag: Tag): Uint8Array => {
      const value = objects.get(tag);
      if (!value) throw new OdaError('MISSING_DATA', 'Book 3 §10.3', `no ${tag}`);
      return value;
    };
    const issuerPublicKey = retrieveIssuerPublicKey({
      caPublicKey,
      certificate: need('90'),
      remainder: objects.get('92'),
      exponent: need('9F32'),
      applicationPan: need('5A'),
      today: date,
    });
    const staticData = buildStaticDataToBeAuthenticated({
      afl,
      records,
      sdaTagList: objects.get('9F4A'),
      aip,
    });
    if (method === 'sda') {
      verifySignedStaticApplicationData({
        issuerPublicKey,
        signedStaticApplicationData: need('93'),
        staticDataToBeAuthenticated: staticData,
      });
      return { method, ok: true };
    }
    const iccPublicKey = retrieveIccPublicKey({
      issuerPublicKey,
      certificate: need('9F46'),
      remainder: objects.get('9F48'),
      exponent: need('9F47'),
      staticDataToBeAuthenticated: staticData,
      applicationPan: need('5A'),
      today: date,
    });
    // Book 3 §6.5.1: the card's DDOL, or the terminal's default DDOL (9F37 04).
    const ddol = objects.get('9F49') ?? Buffer.from('9F3704', 'hex');
    const ddolData = buildDolData(ddol, terminal);
    verifyDynamicSignature({
      iccPublicKey,
      signedDynamicApplicationData: card.internalAuthenticate(ddolData),
      terminalDynamicData: ddolData,
    });
    return { method, ok: true };
  } catch (error) {
    if (error instanceof OdaError) return { method, ok: false, reason: error.message };
    throw error;
  }
}

/**
 * Runs the transaction up to the first GENERATE AC. Throws
 * EmvTransactionError when the card cannot be used at all.
 */
export function runToFirstGenerateAc(
  card: SimulatedCard,
  config: KernelConfig,
  tx: EmvTransaction,
): FirstAcResult {
  const tvr = new Set<TvrFlag>();
  const tsi = new Set<TsiFlag>();
  const { aid, label } = selectApplication(card);
  const { aip, afl } = card.getProcessingOptions();
  const records = readRecords(card, afl);
  const objects = flattenTlv(records.flatMap((r) => decodeTlv(r.data)));
  const pan = Buffer.from(objects.get('5A') ?? [])
    .toString('hex')
    .toUpperCase()
    .replace(/F+$/, '');
  const track2 = objects.get('57');
  if (!pan || !track2) throw new EmvTransactionError('the card has no PAN (5A) or track 2 (57)');

  const date = yymmdd(tx.date);
  const terminal = new Map<Tag, Uint8Array>([
    ['9F02', bcd(tx.amountMinor.toString(), 6)],
    ['9F03', bcd('0', 6)],
    ['9F1A', bcd(config.countryCode, 2)],
    ['5F2A', bcd(tx.currencyNumeric, 2)],
    ['9A', Buffer.from(date, 'hex')],
    ['9C', Buffer.from(tx.transactionType, 'hex')],
    ['9F37', tx.unpredictableNumber],
    ['9F33', Buffer.from(config.terminalCapabilities, 'hex')],
    ['9F35', Buffer.from(config.terminalType, 'hex')],
  ]);

  // Offline data authentication (Book 3 §10.3).
  const oda = authenticateOffline(card, config, aid, aip, afl, records, objects, terminal, tx.date);
  if (oda.method === 'none') tvr.add('offlineDataAuthenticationNotPerformed');
  else {
    tsi.add('offlineDataAuthenticationPerformed');
    if (!oda.ok) tvr.add(oda.method === 'dda' ? 'ddaFailed' : 'sdaFailed');
  }

  // Processing restrictions (Book 3 §10.4): dates.
  const expiry = objects.get('5F24');
  const effective = objects.get('5F25');
  if (expiry && Buffer.from(expiry).toString('hex') < date) tvr.add('expiredApplication');
  if (effective && Buffer.from(effective).toString('hex') > date) {
    tvr.add('applicationNotYetEffective');
  }

  // Cardholder verification (Book 3 §10.5).
  const cvmList = objects.get('8E');
  let cvm: CvmOutcome;
  if (decodeAip(aip).cardholderVerificationSupported && cvmList) {
    const applicationCurrency = objects.get('9F42');
    cvm = selectCvm(decodeCvmList(cvmList), config.cvm, {
      amountMinor: tx.amountMinor,
      inApplicationCurrency:
        applicationCurrency !== undefined &&
        Buffer.from(applicationCurrency).equals(Buffer.from(terminal.get('5F2A')!)),
      pinEntered: tx.pinEntered,
    });
    tsi.add('cardholderVerificationPerformed');
    if (cvm.outcome === 'failed') {
      tvr.add('cardholderVerificationNotSuccessful');
      if (cvm.pinNotEntered) tvr.add('pinNotEntered');
      if (cvm.unrecognisedCvm) tvr.add('unrecognisedCvm');
    } else if (cvm.method === 'encipheredPinOnline') {
      tvr.add('onlinePinEntered');
    }
  } else {
    cvm = {
      outcome: 'failed',
      results: Uint8Array.of(0x3f, 0x00, 0x00),
      pinNotEntered: false,
      unrecognisedCvm: false,
    };
  }
  terminal.set('9F34', cvm.results);

  // Terminal risk management (Book 3 §10.6): the floor limit.
  if (tx.amountMinor >= config.floorLimitMinor) tvr.add('floorLimitExceeded');
  tsi.add('terminalRiskManagementPerformed');

  // Terminal action analysis (Book 3 §10.7): the issuer's denial codes decline
  // offline; everything else goes online (this terminal never approves offline).
  const tvrBytes = TVR.encode(tvr);
  const denial = objects.get('9F0E');
  const denied = denial !== undefined && tvrBytes.some((b, i) => (b & (denial[i] ?? 0)) !== 0);
  terminal.set('95', tvrBytes);
  const cdol1Data = buildDolData(objects.get('8C') ?? new Uint8Array(), terminal);
  const ac = card.generateFirstAc(denied ? 'AAC' : 'ARQC', cdol1Data);
  tsi.add('cardRiskManagementPerformed');

  const data = new Map<Tag, Uint8Array>([...objects, ...terminal]);
  data.set('82', aip);
  data.set('84', aid);
  const iccData = Buffer.from(
    encodeTlv([
      primitive('9F26', ac.cryptogram),
      primitive('9F27', Uint8Array.of(ac.cid)),
      primitive('9F10', ac.issuerApplicationData),
      primitive('9F37', terminal.get('9F37')!),
      primitive('9F36', ac.atc),
      primitive('95', tvrBytes),
      primitive('9A', terminal.get('9A')!),
      primitive('9C', terminal.get('9C')!),
      primitive('9F02', terminal.get('9F02')!),
      primitive('9F03', terminal.get('9F03')!),
      primitive('5F2A', terminal.get('5F2A')!),
      primitive('82', aip),
      primitive('9F1A', terminal.get('9F1A')!),
      primitive('84', aid),
      ...(objects.get('5F34') ? [primitive('5F34', objects.get('5F34')!)] : []),
      primitive('9F33', terminal.get('9F33')!),
      primitive('9F34', cvm.results),
      primitive('9F35', terminal.get('9F35')!),
    ] satisfies TlvNode[]),
  );
  return {
    aid,
    applicationLabel: label,
    pan,
    track2,
    oda,
    cvm,
    tvr: tvrBytes,
    tsi: encodeTsi(tsi),
    ac,
    iccData,
    data,
    tvrFlags: tvr,
    tsiFlags: tsi,
  };
}

export interface IssuerResponse {
  /** ISO 8583 field 39. */
  readonly responseCode: string;
  /** Tag 91 and scripts 71/72, TLV, as the gateway returned them. */
  readonly issuerData: Uint8Array;
}

export interface SecondAcResult {
  readonly decision: 'TC' | 'AAC';
  readonly issuerAuthentication?: ArpcCheck;
  readonly ac: GenerateAcResponse;
  readonly tvr: Uint8Array;
  readonly tsi: Uint8Array;
  /** TLV for CompleteRequest.icc_data: 9F26, 9F27, 9F36, 95, 9F10, 9B, 8A. */
  readonly iccData: Buffer;
}

/**
 * Completion after the online answer (Book 3 §10.9-10.11): the card checks
 * the issuer authentication data (91) by EXTERNAL AUTHENTICATE; the terminal
 * asks for a TC when the issuer approved ('00') and an AAC otherwise; the
 * card gives an AAC anyway when the ARPC does not verify.
 */
export function completeOnline(
  card: SimulatedCard,
  first: FirstAcResult,
  issuer: IssuerResponse,
): SecondAcResult {
  const tvr = new Set(first.tvrFlags);
  const tsi = new Set(first.tsiFlags);
  const issuerTlv = issuer.issuerData.length
    ? flattenTlv(decodeTlv(issuer.issuerData))
    : new Map<Tag, Uint8Array>();
  const tag91 = issuerTlv.get('91');
  let issuerAuthentication: ArpcCheck | undefined;
  if (tag91) {
    issuerAuthentication = card.externalAuthenticate(tag91);
    tsi.add('issuerAuthenticationPerformed');
    if (!issuerAuthentication.valid) tvr.add('issuerAuthenticationFailed');
  }
  const tvrBytes = TVR.encode(tvr);
  const arc = Buffer.from(issuer.responseCode.padEnd(2, ' ').slice(0, 2), 'ascii');
  const data = new Map(first.data);
  data.set('95', tvrBytes);
  data.set('8A', arc);
  if (tag91) data.set('91', tag91);
  const cdol2 = data.get('8D') ?? new Uint8Array();
  const requested = issuer.responseCode === '00' ? 'TC' : 'AAC';
  const ac = card.generateSecondAc(requested, buildDolData(cdol2, data));
  const tsiBytes = encodeTsi(tsi);
  const iccData = Buffer.from(
    encodeTlv([
      primitive('9F26', ac.cryptogram),
      primitive('9F27', Uint8Array.of(ac.cid)),
      primitive('9F36', ac.atc),
      primitive('95', tvrBytes),
      primitive('9F10', ac.issuerApplicationData),
      primitive('9B', tsiBytes),
      primitive('8A', arc),
    ]),
  );
  return {
    decision: ac.type === 'TC' ? 'TC' : 'AAC',
    issuerAuthentication,
    ac,
    tvr: tvrBytes,
    tsi: tsiBytes,
    iccData,
  };
}
