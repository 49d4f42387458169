import { hexToBytes, macIso9797Alg3, parseKsn, tdesDukpt } from '@tillgate/crypto';
import { TEST_TERMINAL_KEYS, testTerminalKey, terminalNumberOf } from '../keys/test-terminal-keys';
import { dukptTransaction, injectInitialKey, padTrackData } from './terminal-dukpt';

// Message and known answers of the shared vectors (libs/key-store/src/test-data):
// TDES: ANSI X9.24-1:2009 A.4 (via openemv/dukpt), KSN FFFF9876543210E00001;
// AES: X9.24-3 B.1 BDK, IKID 1234567890123456, KSN ...00000001 (via moov-io/dukpt).
const MESSAGE = Buffer.from('4012345678909D987', 'ascii');
const zeroPadded = (length: number) =>
  Buffer.concat([MESSAGE, Buffer.alloc(length - MESSAGE.length)]);

describe('terminal DUKPT against the published test vectors', () => {
  const tdes = dukptTransaction(injectInitialKey(TEST_TERMINAL_KEYS.tdes), 1);
  const aes = dukptTransaction(injectInitialKey(TEST_TERMINAL_KEYS.aes), 1);

  it('key injection then counter 1 gives the published KSNs', () => {
    expect(tdes.ksn.toString('hex').toUpperCase()).toBe('FFFF9876543210E00001');
    expect(aes.ksn.toString('hex').toUpperCase()).toBe('123456789012345600000001');
  });

  it('TDES: X9.19 request and response MACs, data-request CBC and the ISO 0 PIN block of X9.24-1 A.4', () => {
    expect(tdes.requestMac(MESSAGE).subarray(0, 4).toString('hex').toUpperCase()).toBe('9CCC7817');
    expect(tdes.verifyResponseMac(MESSAGE, tdes.requestMac(MESSAGE))).toBe(false);
    expect(tdes.encryptData(zeroPadded(24)).toString('hex').toUpperCase()).toBe(
      'FC0D53B7EA1FDA9EE68AAF2E70D9B9506229BE2AA993F04F',
    );
    expect(tdes.encryptPinBlock('1234', '4012345678909').toString('hex').toUpperCase()).toBe(
      '1B9C1845EB993A7A',
    );
  });

  it('TDES: the terminal accepts the host MAC-response variant MAC (published 20364223...) and nothing else', () => {
    const hostKey = tdesDukpt.deriveWorkingKey({
      bdk: hexToBytes(TEST_TERMINAL_KEYS.tdes.bdk),
      ksn: tdes.ksn,
      usage: 'mac-response',
    });
    const hostMac = macIso9797Alg3(hostKey, MESSAGE, 1);
    expect(hostMac.subarray(0, 4).toString('hex').toUpperCase()).toBe('20364223');
    expect(tdes.verifyResponseMac(MESSAGE, hostMac)).toBe(true);
    expect(tdes.verifyResponseMac(MESSAGE, tdes.requestMac(MESSAGE))).toBe(false);
  });

  it('AES-128: CMAC under the mac-generation key, the mac-verification key for responses, data-encrypt CBC', () => {
    expect(aes.requestMac(MESSAGE).toString('hex').toUpperCase()).toBe('A2EB5C1C35809E58');
    expect(aes.verifyResponseMac(MESSAGE, hexToBytes('DD4E1895FD9BF53D'))).toBe(true);
    expect(aes.verifyResponseMac(MESSAGE, hexToBytes('A2EB5C1C35809E58'))).toBe(false);
    expect(aes.encryptData(zeroPadded(32)).toString('hex').toUpperCase()).toBe(
      'E5AFA5B408A3310E3D779C8A9A2AE29448BD5B4232582090DB703AF647205A79',
    );
  });

  it('pads track 2 with F nibbles to the cipher block', () => {
    const tag57 = hexToBytes('4761732765050165D49122012105058386913F');
    expect(padTrackData(tag57, 'tdes').toString('hex').toUpperCase()).toBe(
      '4761732765050165D49122012105058386913F' + 'FF'.repeat(5),
    );
    expect(padTrackData(tag57, 'aes')).toHaveLength(32);
  });
});

describe('demo terminal keys', () => {
  it('terminal 1 is the published test KSN / key ID; the next terminals are other devices of the same BDK', () => {
    expect(testTerminalKey('tdes', 1)).toEqual(TEST_TERMINAL_KEYS.tdes);
    expect(testTerminalKey('aes', 1)).toEqual(TEST_TERMINAL_KEYS.aes);
    expect(testTerminalKey('tdes', 2).initialKeyId).toBe('FFFF9876543211000000');
    expect(testTerminalKey('aes', 3).initialKeyId).toBe('1234567890123458');
    // The device part changed, the counter bits are still zero.
    expect(
      parseKsn(Buffer.from(testTerminalKey('tdes', 2).initialKeyId.slice(0, 17) + '001', 'hex'))
        .counter,
    ).toBe(1);
    expect(terminalNumberOf('TERM0001')).toBe(1);
    expect(terminalNumberOf('TERM0042')).toBe(42);
  });
});
