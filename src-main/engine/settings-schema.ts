// The settings' shape alone (zod only), so the renderer can share it without Node modules.
import { z } from 'zod';

const limits = z.object({ softSeconds: z.number().positive(), hardSeconds: z.number().positive() });

export const Settings = z.object({
  concurrency: z.number().int().min(1).max(64),
  retentionDays: z.number().int().min(1).max(3650),
  maxAttempts: z.number().int().min(1).max(20),
  /** First retry delay; each next one doubles, with jitter. */
  backoffSeconds: z.number().min(0).max(3600),
  backoffMaxSeconds: z.number().min(0).max(86_400),
  timeLimits: z.object({ crossdock: limits, 'catalog-import': limits, export: limits }),
  defaultOutDir: z.string().nullable(),
  /** How often a long crossdock saves a checkpoint to resume from after a crash. */
  checkpointSeconds: z.number().min(0.1).max(3600),
});
export type Settings = z.infer<typeof Settings>;
