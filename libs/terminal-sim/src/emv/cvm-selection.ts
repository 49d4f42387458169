import type { CvmList, CvmMethod, CvmRule } from '@tillgate/emv';

/** What the terminal can do for cardholder verification (its 9F33 byte 2). */
export interface TerminalCvmCapabilities {
  readonly encipheredPinOnline: boolean;
  readonly signature: boolean;
  readonly noCvm: boolean;
}

export interface CvmContext {
  readonly amountMinor: bigint;
  /** The transaction currency equals the application currency (9F42): amount conditions apply. */
  readonly inApplicationCurrency: boolean;
  /** The cardholder typed a PIN (false: PIN entry bypassed). */
  readonly pinEntered: boolean;
}

export type CvmOutcome =
  | {
      readonly outcome: 'performed';
      readonly method: Extract<CvmMethod, 'encipheredPinOnline' | 'signature' | 'noCvmRequired'>;
      /** 9F34 */
      readonly results: Uint8Array;
    }
  | {
      readonly outcome: 'failed';
      /** 9F34 */
      readonly results: Uint8Array;
      readonly pinNotEntered: boolean;
      readonly unrecognisedCvm: boolean;
    };

const RESULT = { unknown: 0x00, failed: 0x01, successful: 0x02 } as const;

/**
 * EMV Book 3 §10.5 cardholder verification: the first CV Rule whose
 * condition holds and whose method the terminal can perform wins; a rule
 * that cannot be performed moves on only when its "apply next" bit is set.
 * Online PIN and signature end with result "unknown" (the issuer or the
 * merchant decides later), no CVM with "successful".
 */
export function selectCvm(
  list: CvmList,
  capabilities: TerminalCvmCapabilities,
  context: CvmContext,
): CvmOutcome {
  let pinNotEntered = false;
  let unrecognisedCvm = false;
  let last: CvmRule | undefined;
  for (const rule of list.rules) {
    if (!conditionHolds(rule, list, capabilities, context)) continue;
    last = rule;
    const performed = perform(rule.method, capabilities, context);
    if (performed === 'unsupported' && !isKnown(rule.method)) unrecognisedCvm = true;
    if (performed === 'pin-bypassed') pinNotEntered = true;
    if (performed === 'unknown' || performed === 'successful') {
      return {
        outcome: 'performed',
        method: rule.method as 'encipheredPinOnline' | 'signature' | 'noCvmRequired',
        results: Uint8Array.of(ruleByte(rule), rule.conditionCode, RESULT[performed]),
      };
    }
    if (rule.method === 'failCvmProcessing' || !rule.applyNextIfUnsuccessful) break;
  }
  // Book 4 §A4: '3F' "no CVM performed" when no rule applied at all.
  const results = last
    ? Uint8Array.of(ruleByte(last), last.conditionCode, RESULT.failed)
    : Uint8Array.of(0x3f, 0x00, RESULT.failed);
  return { outcome: 'failed', results, pinNotEntered, unrecognisedCvm };
}

const ruleByte = (rule: CvmRule): number =>
  rule.methodCode | (rule.applyNextIfUnsuccessful ? 0x40 : 0);

function isKnown(method: CvmMethod): boolean {
  return method !== 'rfu' && method !== 'paymentSystemSpecific' && method !== 'issuerSpecific';
}

function supports(method: CvmMethod, capabilities: TerminalCvmCapabilities): boolean {
  switch (method) {
    case 'encipheredPinOnline':
      return capabilities.encipheredPinOnline;
    case 'signature':
      return capabilities.signature;
    case 'noCvmRequired':
      return capabilities.noCvm;
    default:
      return false;
  }
}

function perform(
  method: CvmMethod,
  capabilities: TerminalCvmCapabilities,
  context: CvmContext,
): 'unknown' | 'successful' | 'unsupported' | 'pin-bypassed' | 'failed' {
  if (method === 'failCvmProcessing') return 'failed';
  if (!supports(method, capabilities)) return 'unsupported';
  if (method === 'encipheredPinOnline') return context.pinEntered ? 'unknown' : 'pin-bypassed';
  return method === 'noCvmRequired' ? 'successful' : 'unknown';
}

function conditionHolds(
  rule: CvmRule,
  list: CvmList,
  capabilities: TerminalCvmCapabilities,
  context: CvmContext,
): boolean {
  const amount = context.amountMinor;
  switch (rule.condition) {
    case 'always':
    case 'notUnattendedCashNotManualCashNotCashback':
      // An attended purchase terminal: no cash, no cashback.
      return true;
    case 'terminalSupportsCvm':
      return supports(rule.method, capabilities);
    case 'applicationCurrencyUnderX':
      return context.inApplicationCurrency && amount < BigInt(list.amountX);
    case 'applicationCurrencyOverX':
      return context.inApplicationCurrency && amount > BigInt(list.amountX);
    case 'applicationCurrencyUnderY':
      return context.inApplicationCurrency && amount < BigInt(list.amountY);
    case 'applicationCurrencyOverY':
      return context.inApplicationCurrency && amount > BigInt(list.amountY);
    default:
      // Unattended cash, manual cash, cashback, RFU and proprietary conditions do not apply here.
      return false;
  }
}
