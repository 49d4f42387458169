import { status } from '@grpc/grpc-js';
import { cardInsertV1 } from '@tillgate/contracts';
import { createLogger, GrpcRequestError } from '@tillgate/platform';
import { logged } from './card-insert.access-log';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { level: 'info', name: 'test' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

const request = {
  header: {
    terminalId: 'TERM0001',
    stan: 17,
    localTime: '2026-11-25T10:00:00',
    clientRequestId: 'c-17',
  },
  card: {
    iccData: Buffer.from('9f2608aabbccddeeff0011', 'hex'),
    encryptedTrack2: Buffer.from('a1b2c3d4e5f60718', 'hex'),
    encryptedPinBlock: Buffer.from('0f1e2d3c4b5a6978', 'hex'),
  },
};

describe('the card-insert access log', () => {
  it('writes one line with who asked and what came of it, and no part of the request body', async () => {
    const { logger, lines } = capture();
    await logged(logger, 'Authorize', request, async () => ({
      paymentId: 'p-1',
      status: cardInsertV1.PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      responseCode: '00',
      maskedPan: '476173******0165',
    }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'card-insert request',
      operation: 'Authorize',
      terminalId: 'TERM0001',
      stan: 17,
      clientRequestId: 'c-17',
      paymentId: 'p-1',
      status: 'AUTHORIZED',
      responseCode: '00',
      maskedPan: '476173******0165',
    });
    // No part of the body, in any encoding pino could give it (a Buffer is
    // written as {"type":"Buffer","data":[...]}, not as hex).
    expect(Object.keys(lines[0])).not.toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^(card|iccData|encrypted\w*|authentication)$/),
      ]),
    );
    const text = JSON.stringify(lines);
    for (const bytes of Object.values(request.card)) {
      expect(text).not.toContain(bytes.toString('hex'));
      expect(text).not.toContain(JSON.stringify([...bytes]).slice(1, -1));
    }
  });

  it('logs a refusal with its gRPC status, code and field, and rethrows it unchanged', async () => {
    const { logger, lines } = capture();
    const refusal = new GrpcRequestError(
      status.UNAUTHENTICATED,
      'MAC_VERIFICATION_FAILED',
      'does not verify',
      'authentication.mac',
    );
    await expect(
      logged(logger, 'Void', { ...request, paymentId: 'p-2' }, () => Promise.reject(refusal)),
    ).rejects.toBe(refusal);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'card-insert request refused',
        operation: 'Void',
        paymentId: 'p-2',
        grpcStatus: 'UNAUTHENTICATED',
        errorCode: 'MAC_VERIFICATION_FAILED',
        field: 'authentication.mac',
      }),
    ]);
  });

  it('logs an unexpected failure at error level by name and message only', async () => {
    const { logger, lines } = capture();
    await expect(
      logged(logger, 'Capture', request, () => Promise.reject(new TypeError('boom'))),
    ).rejects.toThrow('boom');
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, err: 'TypeError: boom', operation: 'Capture' }),
    ]);
  });
});
