// Taking secrets out of text and data that leave the computer (the diagnostics bundle): known secret
// values wherever they appear (as they are, URL-encoded or JSON-escaped), the password part of any
// URL (redis://user:pass@host), and whatever follows a name like password, secret or token.

export const REDACTED = '[redacted]';

/** A field with one of these names holds a secret, whatever its value looks like. */
const SECRET_NAME = /pass(?:word|wd)?$|^pwd$|secret|token|api[-_]?key|credential|authorization|cookie/i;

/** `scheme://user:password@`: the password part, up to the last @ before the host. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:"'<>]*):([^\s/"'<>]*)@/gi;

/**
 * `password=x`, `"token": "x y"`, `secret: x` in free text: the value after the name, a quoted one
 * up to its closing quote.
 */
const NAMED_VALUE =
  /((?:pass(?:word|wd)?|pwd|secret|token|api[-_]?key|credentials?)["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"',;&)}\]]+)/gi;

/** HTTP authorization values in free text. */
const AUTH_HEADER = /\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{6,}/g;

/** The password of a URL, or null (none, or not a URL). */
export function urlPassword(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : null;
  } catch {
    return null;
  }
}

/** Known secrets of the environment: CROSSDOCK_*_PASSWORD (and *_SECRET, *_TOKEN), and passwords in its URLs. */
export function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || !name.startsWith('CROSSDOCK_')) continue;
    if (/PASSWORD|SECRET|TOKEN/.test(name)) out.push(value);
    else if (name.endsWith('_URL')) {
      const p = urlPassword(value);
      if (p) out.push(p);
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly known: RegExp | null;

  /** `secrets`: values to take out wherever they appear (empty ones are ignored). */
  constructor(secrets: readonly (string | null | undefined)[]) {
    const forms = new Set<string>();
    for (const s of secrets) {
      if (!s) continue;
      forms.add(s);
      forms.add(encodeURIComponent(s));
      forms.add(encodeURIComponent(s).replace(/%20/g, '+'));
      forms.add(JSON.stringify(s).slice(1, -1));
    }
    // Longest first, so that a secret containing another is taken out whole.
    const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.known = alternatives.length ? new RegExp(alternatives.join('|'), 'g') : null;
  }

  /** Only the known secret values taken out (e.g. of text already serialized as JSON, whose shape must stay). */
  values(s: string): string {
    return this.known ? s.replace(this.known, REDACTED) : s;
  }

  /** Free text (a log line, a message) without secrets. */
  text(s: string): string {
    let out = this.values(s);
    out = out.replace(URL_PASSWORD, `$1:${REDACTED}@`);
    out = out.replace(NAMED_VALUE, (_m, name: string, value: string) => {
      const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
      const inner = quote ? value.slice(1, -1) : value;
      return inner.startsWith('[redacted') ? `${name}${value}` : `${name}${quote}${REDACTED}${quote}`;
    });
    out = out.replace(AUTH_HEADER, `$1 ${REDACTED}`);
    return out;
  }

  /**
   * A copy of JSON-like data without secrets: every string through `text`, and the value of a field
   * named like a secret replaced (booleans and nulls stay: "is it set" is not the secret).
   */
  value<T>(data: T): T {
    return this.walk(data, null) as T;
  }

  private walk(v: unknown, key: string | null): unknown {
    if (key !== null && SECRET_NAME.test(key) && v !== null && typeof v !== 'boolean' && v !== undefined)
      return REDACTED;
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x, null));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.walk(x, k);
      return out;
    }
    return v;
  }
}
