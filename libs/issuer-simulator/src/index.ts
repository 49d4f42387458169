// Public API of @tillgate/issuer-simulator: a standalone issuer host speaking
// ACQUIRER_SPEC ISO 8583 over the host link's framing, its fault injection
// and control channel, and the chip-card emulator tests drive it with.
export * from './issuer-simulator.config';
export * from './start-issuer-simulator';
export { SimulatedIssuer, type SimulatedIssuerOptions } from './issuer/simulated-issuer';
export { IssuerHost, type IssuerHostOptions } from './host/issuer-host';
export { ControlServer } from './control/control.server';
export {
  FaultPlan,
  type FaultAction,
  type FaultMatch,
  type FaultRule,
  type FaultRuleInput,
} from './faults/fault-plan';
export {
  CRYPTOGRAM_VERSION_NAMES,
  defaultCryptogramVersion,
  defaultTerms,
  type AccountTerms,
  type CardAccount,
  type CryptogramVersionName,
} from './cards/card-account';
export {
  CardFileError,
  cardAccountFromJson,
  cardAccountFromSeed,
  loadCardAccountDirectory,
  loadCardAccountFile,
} from './cards/card-account.loader';
export { CardDatabase } from './cards/card-database';
export type { CardSummary } from './cards/card-record';
export {
  ApprovalJournal,
  type ApprovalJournalOptions,
  type JournalEntry,
} from './journal/approval.journal';
export { RESPONSE_CODES, isResponseCode, type ResponseCode } from './messages/response-code';
export type {
  IssuerPinBlockFormat,
  ZonePinBlockFormat,
  ZonePinKeys,
} from './authorization/pin.verifier';
export {
  ChipCardEmulator,
  type ArpcCheck,
  type ChipTransaction,
  type IssuedCryptogram,
} from './testing/chip-card.emulator';
export {
  AES_ZONE_PIN_KEY,
  ZONE_PIN_KEY,
  aCardProfile,
  anAccount,
  emulatorFor,
  startHarness,
  type Harness,
} from './testing/simulator.harness';
export { checkFieldPin, checkPin, type PinCheck } from './authorization/pin.verifier';
