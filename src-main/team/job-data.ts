// What a team job carries through Redis. Everything read back from Redis is untrusted: another
// member, an old version or an attacker with access to the server may have written it. It is
// validated here before use, and no path in it is ever used to write (a worker writes only under
// its own data dir, a submitter only to the names it planned itself).
import { z } from 'zod';
import { TeamSpec } from '../common/spec.ts';

export const SHA256 = z.string().regex(/^[0-9a-f]{64}$/, 'not a sha256');

/** A file's name for display and its extension only: no folders, no control characters. */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    (n) => !/[/\\\u0000-\u001f]/.test(n) && n !== '.' && n !== '..',
    'not a plain file name',
  );

export const BlobRef = z.object({ blob: SHA256, name: fileName, size: z.number().int().min(0) }).strict();
export type BlobRef = z.infer<typeof BlobRef>;

export { TeamSpec } from '../common/spec.ts';

export const JOB_ID = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not a job id');

export const TeamJobData = z
  .object({
    v: z.literal(1),
    id: JOB_ID,
    name: fileName,
    spec: TeamSpec,
    input: BlobRef.nullable(),
    submittedBy: z.string().min(1).max(200),
    host: z.string().min(1).max(255),
    priority: z.enum(['high', 'normal', 'low']),
    maxAttempts: z.number().int().min(1).max(20),
    createdAt: z.number().int().min(0),
  })
  .strict();
export type TeamJobData = z.infer<typeof TeamJobData>;

const count = z.number().int().min(0);
export const TeamResult = z
  .object({
    stats: z.object({ rows: count, found: count, partial: count, notFound: count, invalid: count }).strict(),
    files: z.array(z.object({ blob: SHA256, size: count }).strict()).max(1000),
  })
  .strict();
export type TeamResult = z.infer<typeof TeamResult>;

export const TeamProgress = z
  .object({
    done: count,
    total: count.nullable(),
    stage: z.string().max(100),
    eta: z.number().min(0).nullable(),
  })
  .strict();

/** Messages on the team's pub/sub channel. */
export const TeamMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cancel'), id: JOB_ID }).strict(),
  z.object({ type: z.literal('changed'), id: JOB_ID }).strict(),
  z
    .object({
      type: z.literal('log'),
      id: JOB_ID,
      at: z.number().int().min(0),
      level: z.enum(['info', 'warn', 'error']),
      message: z.string().max(4000),
    })
    .strict(),
]);
export type TeamMessage = z.infer<typeof TeamMessage>;

/** Failure reasons that start with this mean the job was cancelled (not retried, shown as cancelled). */
export const CANCELLED = 'Cancelled';

/** The extension a worker gives its copy of the input: only ones the tasks read. */
export function safeExtension(name: string): string {
  const m = /\.(xlsx|xlsm|csv|txt|tsv)$/i.exec(name);
  return m ? `.${m[1].toLowerCase()}` : '';
}
