import { CreateCardInsertTables1764100000000 } from './migrations/1764100000000-create-card-insert-tables';
import { CreateKsnCounters1764300000000 } from './migrations/1764300000000-create-ksn-counters';

export { cardInsertEntities } from './card-insert.entities';

/** Migrations of the card-insert tables, oldest first; run them after `eventStoreMigrations`. */
export const cardInsertMigrations = [
  CreateCardInsertTables1764100000000,
  CreateKsnCounters1764300000000,
];
