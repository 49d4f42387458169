import { rejectCardData } from '@tillgate/event-store';
import { paymentEventCodec } from '../domain/card-insert-event.codec';
import { initiated } from '../testing/payment.builders';
import { fromEventPanToken, toEventPanToken } from './event-pan-token';

describe('the PAN token in events', () => {
  // A real-looking HMAC hex whose digits include 4761739001010119 (Luhn-valid).
  const token = 'ab4761739001010119cd' + 'e'.repeat(44);

  it('would be refused by the card-data guard as it comes from the key store', () => {
    const event = paymentEventCodec.encode(initiated({ panToken: token }), {
      eventId: 'e',
      occurredAt: new Date(0),
    });
    expect(() => rejectCardData('payments-x', event)).toThrow();
  });

  it('is accepted grouped, and converts back to the key store form', () => {
    const grouped = toEventPanToken(token);
    expect(grouped).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{1,8}){7}$/);
    const event = paymentEventCodec.encode(initiated({ panToken: grouped }), {
      eventId: 'e',
      occurredAt: new Date(0),
    });
    expect(() => rejectCardData('payments-x', event)).not.toThrow();
    expect(fromEventPanToken(grouped)).toBe(token);
    expect(toEventPanToken('tok_abc')).toBe('tok_abc');
  });
});
