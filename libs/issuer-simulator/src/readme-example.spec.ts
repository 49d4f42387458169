import { aTestCard, seededRandom } from '@tillgate/emv';
import { HostLink } from '@tillgate/host-link';
import { createLogger } from '@tillgate/platform';
import { defaultTerms } from './cards/card-account';
import { IssuerHost } from './host/issuer-host';
import { SimulatedIssuer } from './issuer/simulated-issuer';
import { ChipCardEmulator } from './testing/chip-card.emulator';

// README.md "Example", as written there (loggers silenced).

it('README example: an approval with a verified ARPC over a real host link', async () => {
  const silent = createLogger({ level: 'silent' });
  const zonePinKey = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
  const profile = aTestCard(seededRandom('readme')).withPin('1234').build();
  const issuer = new SimulatedIssuer({
    cards: [{ profile, terms: defaultTerms(profile) }],
    zonePinKey,
    logger: silent,
  });
  const host = await IssuerHost.start({ issuer, port: 0, logger: silent });

  const link = new HostLink({ host: '127.0.0.1', port: host.port, logger: silent });
  link.start();
  await link.waitUntilReady();

  const card = new ChipCardEmulator(profile, { zonePinKey });
  const issued = card.authorization({ amount: 1_000, stan: 1 });
  const response = await link.request(issued.request);
  expect(response.fields[39]).toBe('00');
  expect(card.checkArpc(issued, response)).toEqual({
    present: true,
    valid: true,
    method: 2,
    csu: '00800000',
  });

  host.faults.add({ action: { kind: 'delay', ms: 35_000 } });
  expect(host.faults.list()).toHaveLength(1);
  await link.close();
  await host.close();
});
