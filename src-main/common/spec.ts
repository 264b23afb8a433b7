// The one description of a job. Each kind has its task options (what the job does, no local path or
// server address in it) and, around them, the fields only the submitting computer knows (files,
// folders, the ClickHouse server it records, the priority). The submit schema, the job row, the task
// input, the team job data and the renderer's views all come from these schemas, so a new option
// is added in one place and reaches every side (it used to be restated three times, and a team job
// lost the chosen worksheet on the way).
import { z } from 'zod';

const text = (max: number) => z.string().min(1).max(max);

/**
 * How to read the request list's columns: each one by header text or 1-based index (a column letter
 * is turned into its index by the caller), and the header row (a sheet row number; 0 = the sheet has
 * no header row, so the columns are given by index and every row is data). Absent: detected.
 */
const columns = z
  .object({
    brand: text(200).optional(),
    article: text(200).optional(),
    quantity: text(200).optional(),
    headerRow: z.number().int().min(0).max(1_048_576).optional(),
  })
  .strict()
  .default({});

/** The languages a result workbook is written in (PRODUCT.md, Result workbook). */
export const RESULT_LANGS = ['en', 'ru'] as const;
export type ResultLang = (typeof RESULT_LANGS)[number];
/** Whether analogs (crosses) compete with a line's own part (PRODUCT.md, Analogs). */
export const ANALOG_MODES = ['off', 'missing', 'always'] as const;
export type AnalogMode = (typeof ANALOG_MODES)[number];
/** An ISO 4217-style currency code, as the rates table and offers write it. */
export const currencyCode = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'a currency is three letters, such as RUB, EUR or USD'));

const source = z.enum(['demo', 'clickhouse']).default('demo');
const maxRowsPerSheet = z.number().int().min(10).max(1_048_576).optional();

// ── task options: what a team job carries (PRODUCT.md, Team mode) ──────────────────────────────

export const CrossdockOptions = z
  .object({
    kind: z.literal('crossdock'),
    list: text(200),
    source,
    alternatives: z.number().int().min(0).max(20).default(0),
    columns,
    /** The worksheet to read; by default the first with a Brand and Article header. */
    sheet: text(200).optional(),
    /** Analog offers: never, when the part itself has no full offer, or always. */
    analogs: z.enum(ANALOG_MODES).default('off'),
    /** Prices are compared (and line totals given) in this currency, through the rates table. */
    baseCurrency: currencyCode.default('RUB'),
    /** The result workbook's language: appended headers, statuses, notes and the Summary. */
    lang: z.enum(RESULT_LANGS).default('en'),
    maxRowsPerSheet,
  })
  .strict();

export const ExportOptions = z
  .object({
    kind: z.literal('export'),
    source,
    list: text(200).optional(),
    brand: text(200).optional(),
    query: z.string().trim().min(1).max(100_000).optional(),
    format: z.enum(['xlsx', 'csv']).default('xlsx'),
    maxRowsPerSheet,
  })
  .strict();

/** What a catalog import's file holds: a supplier's price list, crosses (analogs), or brand aliases. */
export const CATALOG_TABLES = ['offers', 'crosses', 'aliases'] as const;
export type CatalogTable = (typeof CATALOG_TABLES)[number];

export const CatalogImportOptions = z
  .object({
    kind: z.literal('catalog-import'),
    /** Absent in jobs queued before crosses and aliases could be imported: a price list. */
    table: z.enum(CATALOG_TABLES).default('offers'),
    /** The price list's supplier (a price list needs one; crosses and aliases take none). */
    supplier: z.string().trim().min(1).max(200).optional(),
    list: z.string().trim().min(1).max(200).optional(),
    columns,
  })
  .strict();

// ── what only the submitting computer knows ────────────────────────────────────────────────────

const path = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\u0000'), 'A path cannot contain NUL.');

/** Where the ClickHouse source is (never the password: that stays with the process or the app). */
const clickhouse = z
  .object({ url: z.string().url().max(2000), database: text(200), user: z.string().max(200).optional() })
  .strict()
  .optional();

const priority = z.enum(['high', 'normal', 'low']).default('normal');

export const CrossdockSpec = CrossdockOptions.extend({ input: path, outDir: path, clickhouse, priority });
export const ExportSpec = ExportOptions.extend({ outDir: path, clickhouse, priority });
export const CatalogImportSpec = CatalogImportOptions.extend({ input: path, priority });

/** An export needs a list or a query, not both; a brand filter needs the list. */
function exportNeeds(spec: { list?: string; query?: string; brand?: string }, ctx: z.RefinementCtx): void {
  if (!spec.list === !spec.query)
    ctx.addIssue({ code: 'custom', message: 'give either a supplier list or a query', path: ['list'] });
  if (spec.brand && !spec.list)
    ctx.addIssue({ code: 'custom', message: 'a brand filter needs a supplier list', path: ['brand'] });
}

/** A price list needs its supplier; crosses and aliases belong to no supplier or list. */
function importNeeds(
  spec: { table: CatalogTable; supplier?: string; list?: string },
  ctx: z.RefinementCtx,
): void {
  if (spec.table === 'offers' && !spec.supplier)
    ctx.addIssue({ code: 'custom', message: 'a price list needs its supplier', path: ['supplier'] });
  if (spec.table !== 'offers' && (spec.supplier || spec.list))
    ctx.addIssue({
      code: 'custom',
      message: `${spec.table} belong to no supplier or list`,
      path: [spec.supplier ? 'supplier' : 'list'],
    });
}

/** What a caller submits (the app's new-job sheet, the CLI, a schedule), checked before anything is queued. */
export const SubmitSpec = z
  .discriminatedUnion('kind', [CrossdockSpec, CatalogImportSpec, ExportSpec])
  .superRefine((spec, ctx) => {
    if (spec.kind === 'export') exportNeeds(spec, ctx);
    if (spec.kind === 'catalog-import') importNeeds(spec, ctx);
  });
export type SubmitSpec = z.input<typeof SubmitSpec>;
export type ParsedSpec = z.output<typeof SubmitSpec>;
export type SpecOf<K extends ParsedSpec['kind']> = Extract<ParsedSpec, { kind: K }>;

/** The scheduled kind: an export, checked the same way. */
export const ScheduledSpec = ExportSpec.superRefine(exportNeeds);
export type ScheduledSpec = z.output<typeof ScheduledSpec>;

// ── the job row's spec ─────────────────────────────────────────────────────────────────────────

/** What the engine adds when it takes a file: its own copy, so a retry works after the original moves. */
export interface InputCopy {
  inputCopy: string;
  inputSize: number;
}

type AnyKey =
  keyof SpecOf<'crossdock'> | keyof SpecOf<'export'> | keyof SpecOf<'catalog-import'> | keyof InputCopy;
/** A member of a union that reads every other member's fields as absent, so readers need no casts. */
type Loose<T> = T extends unknown ? T & { [K in Exclude<AnyKey, keyof T>]?: undefined } : never;

/**
 * A job's spec as its row keeps it. A job submitted here has every field of its submit spec (files
 * with the input copy); a teammate's job shown here has its task options only (no path of another
 * computer ever reaches this one), so the local fields are optional to every reader. Narrow on
 * `kind` for a field's exact type; any field can be read on the union (absent ones are undefined).
 */
export type JobSpec =
  | Loose<SpecOf<'crossdock'> & InputCopy>
  | Loose<SpecOf<'catalog-import'> & InputCopy>
  | Loose<SpecOf<'export'>>
  | Loose<TeamSpec & Partial<InputCopy>>;

// ── team mode ──────────────────────────────────────────────────────────────────────────────────

/** A team job's options: the task options of the kinds the team queue runs, nothing local. */
export const TeamSpec = z
  .discriminatedUnion('kind', [CrossdockOptions, ExportOptions])
  .superRefine((spec, ctx) => {
    if (spec.kind === 'export') exportNeeds(spec, ctx);
  });
export type TeamSpec = z.output<typeof TeamSpec>;

/** The task options of a spec (what goes to the team queue): the local fields left out by the schema's own keys. */
export function taskOptions(spec: JobSpec): TeamSpec {
  if (spec.kind === 'catalog-import') throw new Error('A catalog import runs on its own computer only.');
  const keys = Object.keys(spec.kind === 'crossdock' ? CrossdockOptions.shape : ExportOptions.shape);
  const picked = Object.fromEntries(
    Object.entries(spec).filter(([k, v]) => keys.includes(k) && v !== undefined),
  );
  return TeamSpec.parse(picked);
}

/** The first problem of a zod error as a field path and the schema's reason (for coded errors). */
export function specProblem(err: z.ZodError): { field: string; reason: string } {
  const issue = err.issues[0];
  return { field: issue.path.join('.'), reason: issue.message };
}
