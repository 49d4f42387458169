import { PkiError } from '../pki-error';
import { generateRsaKeyPair, RsaKeyPair } from '../key-pair';
import { createCrl, RevokedCertificate } from '../crl';
import { createTerminalCa, TerminalCa } from '../terminal-ca';
import {
  createCertificateSigningRequest,
  issueServerCertificate,
  issueTerminalCertificate,
  IssuedCertificate,
} from '../terminal-certificate';

/**
 * Test fixtures for the terminal PKI. RSA key generation dominates test time,
 * so a test file draws its 2048-bit keys from this pool: one generation per
 * key name per file (jest gives every file its own module registry).
 */
const keys = new Map<string, RsaKeyPair>();
export function keyPair(name: string): RsaKeyPair {
  let pair = keys.get(name);
  if (!pair) {
    pair = generateRsaKeyPair(2048);
    keys.set(name, pair);
  }
  return pair;
}

export const T0 = new Date('2026-03-01T09:00:00Z');
export const DAY = 86_400_000;

/** Deterministic "random" bytes: a counter, so serial numbers differ but are reproducible. */
export function countingRandom(seed = 1): (length: number) => Buffer {
  let counter = seed;
  return (length) => {
    const out = Buffer.alloc(length);
    out.writeUInt32BE(counter++ >>> 0, length - 4);
    return out;
  };
}

export class TerminalPkiBuilder {
  private organization = 'Tillgate Test Acquirer';
  private prefix = 'main';
  private now = T0;

  /** Issue everything at this instant (a TLS handshake checks validity against the real clock). */
  at(now: Date): this {
    this.now = now;
    return this;
  }

  withOrganization(organization: string): this {
    this.organization = organization;
    return this;
  }

  /** A separate CA with its own keys (e.g. an unknown CA). */
  named(prefix: string): this {
    this.prefix = prefix;
    return this;
  }

  build(): TerminalPki {
    const ca = createTerminalCa({
      organization: this.organization,
      rootKey: keyPair(`${this.prefix}:root`),
      issuingKey: keyPair(`${this.prefix}:issuing`),
      now: this.now,
      randomBytes: countingRandom(),
    });
    return new TerminalPki(ca, this.prefix, this.now);
  }
}

export function aTerminalPki(): TerminalPkiBuilder {
  return new TerminalPkiBuilder();
}

export class TerminalPki {
  private serialSeed = 100;

  constructor(
    readonly ca: TerminalCa,
    private readonly prefix: string,
    readonly now: Date = T0,
  ) {}

  get trust() {
    return {
      rootCertificatePem: this.ca.root.certificatePem,
      issuingCertificatePem: this.ca.issuing.certificatePem,
    };
  }

  terminal(terminalId: string, now = this.now): IssuedCertificate & { keys: RsaKeyPair } {
    const keys = keyPair(`${this.prefix}:terminal:${terminalId}`);
    const csrPem = createCertificateSigningRequest({
      terminalId,
      publicKeyPem: keys.publicKeyPem,
      privateKeyPem: keys.privateKeyPem,
    });
    const issued = issueTerminalCertificate({
      ca: this.ca.issuing,
      csrPem,
      terminalId,
      now,
      randomBytes: countingRandom(this.serialSeed++),
    });
    return { ...issued, keys };
  }

  server(now = this.now): IssuedCertificate & { keys: RsaKeyPair } {
    const keys = keyPair(`${this.prefix}:server`);
    const issued = issueServerCertificate({
      ca: this.ca.issuing,
      publicKeyPem: keys.publicKeyPem,
      commonName: 'gateway.test',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      now,
      randomBytes: countingRandom(this.serialSeed++),
    });
    return { ...issued, keys };
  }

  crl(
    revoked: readonly RevokedCertificate[] = [],
    thisUpdate = this.now,
    nextUpdate = new Date(thisUpdate.getTime() + 7 * DAY),
  ): string {
    return createCrl({ issuer: this.ca.issuing, revoked, crlNumber: 1, thisUpdate, nextUpdate });
  }
}

/** Runs `run` and returns the PkiError it throws; fails on anything else or no error. */
export function pkiError(run: () => unknown): PkiError {
  try {
    run();
  } catch (error) {
    if (error instanceof PkiError) return error;
    throw error;
  }
  throw new Error('expected a PkiError');
}
