// Lint fixture (not compiled, not linted by default): a domain lib importing
// an infra lib (persistence) breaks the layering and must fail lint.
import { openDataSource } from '@tillgate/persistence';

export const wrongWay = openDataSource;
