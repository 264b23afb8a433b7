// The pieces every message file builds its sentences from: the catalog entry helper, quoting, lists,
// Russian plurals, and wrapped reasons (a message that quotes another error). No runtime of its own:
// the renderer, the shell, the engine, the worker and the CLI all import it.
import type { ErrorParams } from '../types.ts';

/** An error a message quotes (a wrapped reason), as the renderer of the message's language shows it. */
export type RenderInner = (e: { code: string | null; params: ErrorParams; message: string }) => string;

/** One catalog entry: the English and the Russian sentence, both built from the same parameters. */
export interface MessageDef<P extends ErrorParams> {
  readonly en: (p: P, inner: RenderInner) => string;
  readonly ru: (p: P, inner: RenderInner) => string;
}

/**
 * A catalog entry. `P` is the parameters the sentence quotes; the Russian builder is checked against
 * the same type as the English one. Builders must not throw on a missing parameter (an old row, a
 * newer version's params): use the helpers below, which take what is there.
 */
export function msg<P extends ErrorParams = Record<never, never>>(
  en: (p: P, inner: RenderInner) => string,
  ru: (p: P, inner: RenderInner) => string,
): MessageDef<P> {
  return { en, ru };
}

// ── quoting and lists ────────────────────────────────────────────────────────────────────────────

/** "x" (English quotes around a user's name). */
export function dq(s: unknown): string {
  return `"${text(s)}"`;
}

/** «x»: the user's names keep their text, in Russian quotes. */
export function q(s: unknown): string {
  return `«${text(s)}»`;
}

/** A parameter as text: a missing one is empty, never "undefined". */
export function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(text).join(', ');
  return String(v);
}

/** A list parameter as strings, whatever came (a missing list is empty, a lone string is one item). */
export function items(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(text);
  if (v === undefined || v === null || v === '') return [];
  return [text(v)];
}

/** A number parameter (a missing one is 0, a numeric string is its number). */
export function num(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
}

// ── Russian ──────────────────────────────────────────────────────────────────────────────────────

/** The Russian form for n: 1 файл, 2 файла, 5 файлов (11–14 take the third form). */
export function plural(n: number, one: string, few: string, many: string): string {
  const n10 = Math.abs(n) % 10;
  const n100 = Math.abs(n) % 100;
  if (n10 === 1 && n100 !== 11) return one;
  if (n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14)) return few;
  return many;
}

/** Free text at the end of a sentence (a server's or the system's words): ends with a full stop. */
export function end(s: string): string {
  return /[.!?…]$/.test(s.trimEnd()) ? s : `${s.trimEnd()}.`;
}

// ── wrapped reasons ──────────────────────────────────────────────────────────────────────────────

/** A scalar or list value a message parameter may hold. */
type ParamValue = ErrorParams[string];

/**
 * The parameters of a message that wraps another error: its English text (`reason`), its code (null
 * for an error without one) and its parameters, flattened as `reason.<name>` so the job row keeps
 * plain values.
 */
export type Nested = { reason: string; reasonCode: string | null } & {
  [k: `reason.${string}`]: ParamValue;
};

/** The wrapped error as nested parameters (see Nested). */
export function nest(e: { code: string | null; params?: ErrorParams | null; message: string }): Nested {
  const out: Nested = { reason: e.message, reasonCode: e.code };
  for (const [k, v] of Object.entries(e.params ?? {})) out[`reason.${k}`] = v;
  return out;
}

/** The wrapped error of nested parameters, for RenderInner. */
export function unnest(p: Partial<Nested>): { code: string | null; params: ErrorParams; message: string } {
  const params: ErrorParams = {};
  for (const [k, v] of Object.entries(p)) if (k.startsWith('reason.')) params[k.slice(7)] = v as ParamValue;
  return { code: typeof p.reasonCode === 'string' ? p.reasonCode : null, params, message: text(p.reason) };
}
