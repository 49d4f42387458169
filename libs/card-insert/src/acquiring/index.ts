// The card-insert adapters: terminal keys and card data through the key
// store, the terminal directory from configuration, the issuer host over
// the host link. The ports they implement are in acquiring.ports.ts.
export * from './acquiring.ports';
export { KeyStoreTerminalAuthenticator } from './terminal/key-store-terminal.authenticator';
export {
  ConfiguredTerminalDirectory,
  TerminalDirectoryInvalid,
  loadTerminalDirectory,
  terminalDirectorySchema,
} from './terminal/configured-terminal.directory';
export { DUKPT_SCHEME_VALUES, KSN_LENGTHS, PROTOCOL_MAC_LENGTH } from './terminal/dukpt-scheme';
export {
  KeyStoreCardDataOpener,
  type KeyStoreCardDataOpenerOptions,
  type ZonePinKey,
} from './card/key-store-card-data.opener';
export { cardSchemeOf } from './card/card-scheme';
export { parseTrack2, Track2Malformed, type Track2 } from './card/track2.parser';
export {
  HostLinkIssuer,
  authorizationMessage,
  reversalMessage,
  type HostLinkIssuerOptions,
} from './issuer/host-link.issuer';
export { ISO_4217_NUMERIC, numericCurrency } from './issuer/iso4217';
