export { PkiError } from './pki-error';
export type { PkiErrorCode } from './pki-error';
export { generateRsaKeyPair } from './key-pair';
export type { RsaKeyPair } from './key-pair';
export type { CertificateAuthority } from './x509';
export { createTerminalCa } from './terminal-ca';
export type { CreateTerminalCaOptions, TerminalCa } from './terminal-ca';
export {
  createCertificateSigningRequest,
  issueServerCertificate,
  issueTerminalCertificate,
} from './terminal-certificate';
export type {
  IssuedCertificate,
  IssueServerCertificateOptions,
  IssueTerminalCertificateOptions,
} from './terminal-certificate';
export { REVOCATION_REASONS, createCrl, parseCrl, verifyCrl } from './crl';
export type {
  CertificateRevocationList,
  CreateCrlOptions,
  RevocationReason,
  RevokedCertificate,
} from './crl';
export {
  checkClientCertificate,
  terminalCertificateChecker,
} from './terminal-certificate-verifier';
export type {
  CertificateInput,
  TerminalCertificateCheckOptions,
  TerminalTrust,
  VerifiedTerminal,
} from './terminal-certificate-verifier';
export {
  TERMINAL_ID_METADATA_KEY,
  grpcServerCredentials,
  terminalAuthInterceptor,
} from './grpc-mtls';
export type {
  GrpcCredentialsModule,
  GrpcInterceptorModule,
  GrpcServerCredentialsOptions,
  PeerCall,
} from './grpc-mtls';
