/**
 * Supplier names, currencies and offer names repeat across thousands of offers; keeping one copy of
 * each keeps a job's offer cache several times smaller. Bounded: it starts over when full.
 */
export class StringPool {
  private readonly pool = new Map<string, string>();
  constructor(private readonly limit = 200_000) {}
  get(s: string): string {
    const known = this.pool.get(s);
    if (known !== undefined) return known;
    if (this.pool.size >= this.limit) this.pool.clear();
    this.pool.set(s, s);
    return s;
  }
}
