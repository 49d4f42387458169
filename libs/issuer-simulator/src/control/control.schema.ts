import { z } from 'zod';
import type { FaultRuleInput } from '../faults/fault-plan';

const action = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delay'), ms: z.number().int().min(0).max(600_000) }).strict(),
  z.object({ kind: z.literal('no-answer') }).strict(),
  z.object({ kind: z.literal('drop-response') }).strict(),
  z.object({ kind: z.literal('disconnect'), afterProcessing: z.boolean().optional() }).strict(),
  z
    .object({
      kind: z.literal('respond'),
      responseCode: z.string().regex(/^[0-9A-Z]{2}$/, 'expected two characters 0-9 A-Z'),
    })
    .strict(),
]);

/** Body of POST /faults. */
export const faultRuleSchema: z.ZodType<FaultRuleInput> = z
  .object({
    match: z
      .object({
        mti: z
          .string()
          .regex(/^\d{4}$/, 'expected four digits')
          .optional(),
        stan: z
          .string()
          .regex(/^\d{6}$/, 'expected six digits')
          .optional(),
        terminalId: z.string().min(1).max(8).optional(),
      })
      .strict()
      .optional(),
    action,
    times: z.union([z.number().int().min(1), z.literal('always')]).optional(),
  })
  .strict();
