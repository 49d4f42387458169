import { eventStoreContract } from '../testing/event-store.contract';
import { openEventStoreDataSource } from '../testing/integration-env';

describe('EventStore on SQLite in memory', () => {
  eventStoreContract(
    () => openEventStoreDataSource('sqlite::memory:'),
    (ds) => ds.destroy(),
  );
});
