import { ConfigError, describeConfig } from '@tillgate/platform';
import {
  issuerSimulatorConfigDefinition,
  loadIssuerSimulatorConfig,
} from './issuer-simulator.config';

const ZPK = '0123456789ABCDEFFEDCBA9876543210';
const AES_128 = '000102030405060708090A0B0C0D0E0F';

describe('issuer simulator configuration', () => {
  it('needs only the zone PIN key; everything else has a default', () => {
    const config = loadIssuerSimulatorConfig({ ISSUER_SIM_ZONE_PIN_KEY: ZPK });
    expect(config).toMatchObject({
      ISSUER_SIM_HOST: '127.0.0.1',
      ISSUER_SIM_PORT: 8583,
      ISSUER_SIM_CONTROL_PORT: 8584,
      ISSUER_SIM_PIN_BLOCK_FORMAT: 0,
      ISSUER_SIM_CARD_SEEDS: ['tillgate-demo-card-1', 'tillgate-demo-card-2'],
      ISSUER_SIM_OPENING_BALANCE: 100_000,
      ISSUER_SIM_CURRENCY: '156',
    });
    expect(config.ISSUER_SIM_ZONE_PIN_KEY.toString('hex').toUpperCase()).toBe(ZPK);
  });

  it('reads an optional AES zone PIN key for 16-byte (format 4) PIN blocks, and redacts it', () => {
    expect(loadIssuerSimulatorConfig({ ISSUER_SIM_ZONE_PIN_KEY: ZPK })).toMatchObject({
      ISSUER_SIM_AES_ZONE_PIN_KEY: undefined,
    });
    for (const hex of [AES_128, AES_128 + '0011223344556677', AES_128 + AES_128]) {
      const config = loadIssuerSimulatorConfig({
        ISSUER_SIM_ZONE_PIN_KEY: ZPK,
        ISSUER_SIM_AES_ZONE_PIN_KEY: hex,
      });
      expect(config.ISSUER_SIM_AES_ZONE_PIN_KEY?.toString('hex').toUpperCase()).toBe(hex);
      expect(describeConfig(issuerSimulatorConfigDefinition, config)).toMatchObject({
        ISSUER_SIM_AES_ZONE_PIN_KEY: '[REDACTED]',
      });
    }
  });

  it('refuses an AES zone PIN key that is not 32, 48 or 64 hex digits, without echoing it', () => {
    for (const bad of [AES_128.slice(2), AES_128 + 'AB', 'Z'.repeat(32)]) {
      let error: unknown;
      try {
        loadIssuerSimulatorConfig({
          ISSUER_SIM_ZONE_PIN_KEY: ZPK,
          ISSUER_SIM_AES_ZONE_PIN_KEY: bad,
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([
        'ISSUER_SIM_AES_ZONE_PIN_KEY',
      ]);
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('lists every problem at once and never echoes the key', () => {
    let error: unknown;
    try {
      loadIssuerSimulatorConfig({
        ISSUER_SIM_ZONE_PIN_KEY: 'not-a-key-0123456789',
        ISSUER_SIM_PORT: '70000',
        ISSUER_SIM_PIN_BLOCK_FORMAT: '1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([
      'ISSUER_SIM_PORT',
      'ISSUER_SIM_ZONE_PIN_KEY',
      'ISSUER_SIM_PIN_BLOCK_FORMAT',
    ]);
    expect((error as Error).message).not.toContain('not-a-key');
  });

  it('wants the TLS certificate, key and CA files together', () => {
    expect(() =>
      loadIssuerSimulatorConfig({
        ISSUER_SIM_ZONE_PIN_KEY: ZPK,
        ISSUER_SIM_TLS_CERT_FILE: 'host.pem',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.objectContaining({ variable: 'ISSUER_SIM_TLS_KEY_FILE' }),
          expect.objectContaining({ variable: 'ISSUER_SIM_TLS_CA_FILE' }),
        ],
      }),
    );
  });
});
