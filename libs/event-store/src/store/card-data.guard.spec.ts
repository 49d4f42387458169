import { rejectCardData } from './card-data.guard';
import { CardDataInEvent } from './event-store.errors';
import { aNewEvent } from '../testing/new-event.builder';

// Test card numbers published by the schemes for testing; never real cards.
const VISA_TEST_PAN = '4111111111111111';
const MASTERCARD_TEST_PAN = '5555555555554444';

const withPayload = (text: string) =>
  aNewEvent()
    .with({ payload: Buffer.from(text, 'latin1') })
    .build();

describe('rejectCardData', () => {
  it.each([
    ['a PAN in a string field', `\n\x10${VISA_TEST_PAN}`, 'pan'],
    ['a PAN inside text', `card ${MASTERCARD_TEST_PAN} approved`, 'pan'],
    ['track 2', `;${VISA_TEST_PAN}=29121010000000000000?`, 'track-data'],
    ['track 1', `%B${VISA_TEST_PAN}^CARDHOLDER/TEST^2912101`, 'track-data'],
  ])('refuses %s in the payload', (_what, text, finding) => {
    expect(() => rejectCardData('probe-1', withPayload(text))).toThrow(
      new CardDataInEvent('payload', finding as 'pan'),
    );
  });

  it('refuses a PAN in the metadata and names the field, never the value', () => {
    let error: unknown;
    try {
      rejectCardData('probe-1', aNewEvent().with({ causationId: VISA_TEST_PAN }).build());
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'CARD_DATA_IN_EVENT', field: 'causationId' });
    expect(JSON.stringify(error) + String(error)).not.toContain(VISA_TEST_PAN);
  });

  it.each([
    ['a masked PAN', '411111******1111'],
    ['a 16-digit number failing the Luhn check', '4111111111111112'],
    ['a 12-digit retrieval reference number', '123456789012'],
    ['a hex token', 'a3f9c2e8b1d4a7f6e2c9b8a1d3f7e6c2'],
    ['binary varints', '\x08\x96\x01\x10\xe8\x07'],
  ])('lets %s through', (_what, text) => {
    expect(() => rejectCardData('probe-1', withPayload(text))).not.toThrow();
  });
});
