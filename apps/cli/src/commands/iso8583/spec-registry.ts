import { ACQUIRER_SPEC, type MessageSpec } from '@tillgate/iso8583';
import { CliUsageError } from '../../cli-error';

/** Specs `--spec` can name: by short name or by the spec's own name. */
const SPECS: Readonly<Record<string, MessageSpec>> = {
  acquirer: ACQUIRER_SPEC,
  [ACQUIRER_SPEC.name]: ACQUIRER_SPEC,
};

export const DEFAULT_SPEC = 'acquirer';

export function specNamed(name: string): MessageSpec {
  const spec = SPECS[name];
  if (!spec) {
    throw new CliUsageError(
      `--spec: unknown spec "${name}" (known: ${Object.keys(SPECS).join(', ')})`,
    );
  }
  return spec;
}
