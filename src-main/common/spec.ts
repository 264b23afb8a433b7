import { z } from 'zod';

const columns = z
  .object({
    brand: z.string().min(1).max(200).optional(),
    article: z.string().min(1).max(200).optional(),
    quantity: z.string().min(1).max(200).optional(),
  })
  .strict()
  .default({});

const clickhouse = z
  .object({
    url: z.string().url().max(2000),
    database: z.string().min(1).max(200),
    user: z.string().max(200).optional(),
  })
  .strict()
  .optional();

const priority = z.enum(['high', 'normal', 'low']).default('normal');
const path = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\u0000'), 'A path cannot contain NUL.');

export const CrossdockSpec = z
  .object({
    kind: z.literal('crossdock'),
    input: path,
    list: z.string().min(1).max(200),
    outDir: path,
    source: z.enum(['demo', 'clickhouse']).default('demo'),
    /** Where the ClickHouse source is (never the password: that stays with the process or the app). */
    clickhouse: z
      .object({
        url: z.string().url().max(2000),
        database: z.string().min(1).max(200),
        user: z.string().max(200).optional(),
      })
      .strict()
      .optional(),
    alternatives: z.number().int().min(0).max(20).default(0),
    columns,
    /** The worksheet to read; by default the first with a Brand and Article header. */
    sheet: z.string().min(1).max(200).optional(),
    priority,
    maxRowsPerSheet: z.number().int().min(10).max(1_048_576).optional(),
  })
  .strict();

export const CatalogImportSpec = z
  .object({
    kind: z.literal('catalog-import'),
    input: path,
    supplier: z.string().trim().min(1).max(200),
    list: z.string().trim().min(1).max(200).optional(),
    columns,
    priority,
  })
  .strict();

export const ExportSpec = z
  .object({
    kind: z.literal('export'),
    source: z.enum(['demo', 'clickhouse']).default('demo'),
    clickhouse,
    list: z.string().min(1).max(200).optional(),
    brand: z.string().min(1).max(200).optional(),
    query: z.string().trim().min(1).max(100_000).optional(),
    format: z.enum(['xlsx', 'csv']).default('xlsx'),
    outDir: path,
    priority,
    maxRowsPerSheet: z.number().int().min(10).max(1_048_576).optional(),
  })
  .strict();

export const SubmitSpec = z
  .discriminatedUnion('kind', [CrossdockSpec, CatalogImportSpec, ExportSpec])
  .superRefine((spec, ctx) => {
    if (spec.kind !== 'export') return;
    if (!spec.list === !spec.query)
      ctx.addIssue({ code: 'custom', message: 'give either a supplier list or a query', path: ['list'] });
    if (spec.brand && !spec.list)
      ctx.addIssue({ code: 'custom', message: 'a brand filter needs a supplier list', path: ['brand'] });
  });
export type SubmitSpec = z.input<typeof SubmitSpec>;
export type ParsedSpec = z.output<typeof SubmitSpec>;

/** One sentence out of a zod error, for a person. */
export function describeSpecError(err: z.ZodError): string {
  const issue = err.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `The job settings are not valid (${where}${issue.message}).`;
}
