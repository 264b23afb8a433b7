// What a team job carries through Redis. Everything read back from Redis is untrusted: another
// member, an old version or an attacker with access to the server may have written it. It is
// validated here before use, and no path in it is ever used to write (a worker writes only under
// its own data dir, a submitter only to the names it planned itself).
import { z } from 'zod';
import { TeamSpec } from '../common/spec.ts';
import type { ErrorParams } from '../common/types.ts';

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

const MAX_PARTS = 1000;

export const JOB_ID = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not a job id');

const lineCount = z.number().int().min(0).max(1_000_000_000);

/**
 * A crossdock split into parts for several workers (a BullMQ flow: this job the parent, one child
 * job per part): each part's first data line (0-based) and how many lines (the last: to the end).
 */
export const SplitPlan = z
  .object({
    lines: lineCount,
    parts: z
      .array(z.object({ from: lineCount, lines: lineCount.nullable() }).strict())
      .min(2)
      .max(MAX_PARTS),
  })
  .strict();
export type SplitPlan = z.infer<typeof SplitPlan>;

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
    /** Split into parts run by several workers at once; the parent merges their workbooks. */
    split: SplitPlan.optional(),
  })
  .strict();
export type TeamJobData = z.infer<typeof TeamJobData>;

/** The BullMQ job name of a part of a split crossdock (its parent is named after its kind). */
export const PART_JOB = 'crossdock-part';

/** One part of a split crossdock: the parent's options and input, a range of its data lines. */
export const TeamPartData = z
  .object({
    v: z.literal(1),
    parent: JOB_ID,
    index: z
      .number()
      .int()
      .min(0)
      .max(MAX_PARTS - 1),
    parts: z.number().int().min(2).max(MAX_PARTS),
    from: lineCount,
    lines: lineCount.nullable(),
    /** The whole job's lines (an estimate): the parent's progress is counted against it. */
    total: lineCount,
    name: fileName,
    spec: TeamSpec,
    input: BlobRef,
    maxAttempts: z.number().int().min(1).max(20),
  })
  .strict();
export type TeamPartData = z.infer<typeof TeamPartData>;

/** A part's BullMQ job id: the parent's and its number (no colon: BullMQ's key separator). */
export function partId(parent: string, index: number): string {
  return `${parent}-p${index + 1}`;
}

/** The parent job id and part index of a part's job id (or key), else null. */
export function partOf(id: string): { parent: string; index: number } | null {
  const m = /([0-9A-HJKMNP-TV-Z]{26})-p(\d{1,4})$/.exec(id);
  return m ? { parent: m[1], index: Number(m[2]) - 1 } : null;
}

const count = z.number().int().min(0);
export const TeamResult = z
  .object({
    stats: z
      .object({
        rows: count,
        found: count,
        partial: count,
        notFound: count,
        invalid: count,
        rule: z
          .object({
            analogs: count,
            rounded: count,
            aliased: count,
            unrated: count,
            baseCurrency: z.string().regex(/^[A-Z]{3}$/),
          })
          .strict()
          .optional(),
      })
      .strict(),
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

// ── coded errors and log lines through Redis ─────────────────────────────────────────────────────

/** A catalog code as it may travel (read back, it is only a name: an unknown one renders its English). */
const CODE = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'not a message code');
const PARAM_TEXT = z.string().max(2000);
/** The values a coded message quotes, bounded: a few short names, numbers and lists. */
const PARAMS = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/, 'not a parameter name'),
    z.union([z.null(), z.boolean(), z.number(), PARAM_TEXT, z.array(PARAM_TEXT).max(100).readonly()]),
  )
  .refine((p) => Object.keys(p).length <= 32, 'too many parameters');

/** A failure reason as a member reads it: the English sentence, with its code when it had one. */
export interface TeamText {
  message: string;
  code: string | null;
  params: ErrorParams | null;
}

/** The longest English sentence kept of a reason or a log line read from Redis. */
const MAX_MESSAGE = 2000;
/**
 * BullMQ keeps a job's failure reason as one string: the English sentence (what Bull Board shows, and
 * what an older member reads), then on a line of its own this mark and the code with its parameters
 * as JSON.
 */
const CODED_MARK = '\n#crossdock-code ';
const MAX_CODED_JSON = 8000;
const CodedPart = z.object({ code: CODE, params: PARAMS }).strict();

/**
 * The code and parameters of a sentence as they may go to the team, or null: none, or more than a
 * reader takes (then the sentence goes alone, in English, rather than being refused whole).
 */
export function sendableCode(e: {
  code?: string | null;
  params?: ErrorParams | null;
}): { code: string; params: ErrorParams } | null {
  if (!e.code) return null;
  const coded = { code: e.code, params: e.params ?? {} };
  if (!CodedPart.safeParse(coded).success || JSON.stringify(coded).length > MAX_CODED_JSON) return null;
  return coded;
}

/** A failure reason for BullMQ: the sentence first (a cancel's starts with CANCELLED), then its code. */
export function encodeReason(e: {
  message: string;
  code?: string | null;
  params?: ErrorParams | null;
}): string {
  const coded = sendableCode(e);
  return coded ? `${e.message}${CODED_MARK}${JSON.stringify(coded)}` : e.message;
}

/**
 * A failure reason read back from Redis (untrusted): its sentence, and its code and parameters when
 * they parse; anything else is plain text without a code.
 */
export function decodeReason(raw: unknown): TeamText | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const text = String(raw);
  const at = text.lastIndexOf(CODED_MARK);
  const message = (at >= 0 ? text.slice(0, at) : text).slice(0, MAX_MESSAGE);
  if (at < 0) return { message, code: null, params: null };
  const json = text.slice(at + CODED_MARK.length);
  if (json.length > MAX_CODED_JSON) return { message, code: null, params: null };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { message, code: null, params: null };
  }
  const coded = CodedPart.safeParse(value);
  if (!coded.success) return { message, code: null, params: null };
  return { message, code: coded.data.code, params: coded.data.params };
}

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
      /** The line's code and parameters, for readers to render in their language. */
      code: CODE.optional(),
      params: PARAMS.optional(),
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
