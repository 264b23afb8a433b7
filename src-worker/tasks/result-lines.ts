// The Result sheet's lines of a crossdock: one request line in, its best offer chosen (PRODUCT.md,
// Best offer) and its row written, with its alternatives. The per-line hot path of a job, kept apart
// from the job's own async function: V8 optimizes this small, often-called method with the type
// feedback of thousands of lines, where it used to compile the whole job function (setup, batches,
// checkpoints, end) two or three times over as it met code that had run only once before.
import type { LineStatus } from '../crossdock/best-offer.ts';
import type { ColumnMapping } from '../crossdock/columns.ts';
import type { KeySlot, PreparedBatch } from '../crossdock/matcher.ts';
import { NO_ROWS } from '../crossdock/offer-rows.ts';
import {
  bestOffer,
  candidateGroups,
  pickScratch,
  rankOffers,
  whyNone,
  type AnalogMode,
  type OfferGroup,
  type Pick,
  type Pricing,
} from '../crossdock/rule.ts';
import { cellText, lineProblem, parseQuantity } from '../../src-main/common/normalize.ts';
import type { ResultText } from '../../src-main/common/result-text.ts';
import type { CellValue, Row } from '../io/types.ts';
import type { RowOptions, XlsxSheet } from '../io/xlsx-writer.ts';
import type { TaskStats } from '../protocol.ts';

export interface SupplierTotal {
  lines: number;
  cost: Map<string, number>;
}

/** Lines won by an analog, orders rounded to a pack or minimum, lines with an aliased brand. */
export interface LineCounts {
  analogs: number;
  rounded: number;
  aliased: number;
}

export interface ResultLinesOptions {
  /** The request's columns, copied as they are. */
  width: number;
  /** `width` and the appended columns. */
  outWidth: number;
  mapping: ColumnMapping;
  t: ResultText;
  mode: AnalogMode;
  pricing: Pricing;
  base: string;
  fills: Record<LineStatus, RowOptions>;
  result: XlsxSheet;
  alt: XlsxSheet | null;
  /** Alternatives per line (the Alternatives sheet, when `alt`). */
  alternatives: number;
  /** Counted into as lines are written (shared with the job: checkpoints and the Summary read them). */
  stats: TaskStats;
  counts: LineCounts;
  perSupplier: Map<string, SupplierTotal>;
  /** Lines with values right of the header's columns, so far (a resumed job's count). */
  widerRows: number;
}

const NO_GROUPS: readonly OfferGroup[] = [];

export class ResultLines {
  /** Lines with values right of the header's columns (left out of the Result). */
  widerRows: number;
  private readonly o: ResultLinesOptions;
  private readonly withAnalogs: boolean;
  // Reused from line to line (the writer renders a row before it returns): no objects per line.
  private readonly out: CellValue[];
  private readonly notes: string[] = [];
  private readonly own: OfferGroup = { brand: '', article: '', analog: false, rows: NO_ROWS, from: 0, to: 0 };
  private readonly scratch = pickScratch();
  // The batch being written (`start`).
  private prepared: PreparedBatch | null = null;
  private rows: Row[] = [];
  private rowNumbers: number[] = [];
  private slots: (KeySlot | null)[] = [];
  // The line last written, for its alternatives.
  private qty: number | null = null;
  private pick: Pick | null = null;
  private analogGroups: readonly OfferGroup[] = NO_GROUPS;

  constructor(options: ResultLinesOptions) {
    this.o = options;
    this.withAnalogs = options.mode !== 'off';
    this.widerRows = options.widerRows;
    this.out = new Array<CellValue>(options.outWidth).fill(null);
  }

  /** The next batch to write, once its offers are in (`ready`). */
  start(prepared: PreparedBatch): void {
    this.prepared = prepared;
    this.rows = prepared.batch.rows;
    this.rowNumbers = prepared.batch.rowNumbers;
    this.slots = prepared.slots;
  }

  /**
   * Chooses line `i`'s offer and writes its Result row. Returns what the sheet's writeRow returned:
   * a Promise to await before writing more, or nothing.
   */
  line(i: number): void | Promise<void> {
    const { width, outWidth, mapping, t, mode, pricing, stats, counts } = this.o;
    const prepared = this.prepared!;
    const out = this.out;
    const notes = this.notes;
    const own = this.own;
    const row = this.rows[i];
    if (row.length > width && hasValueFrom(row, width)) this.widerRows++;
    for (let c = 0; c < width; c++) out[c] = row[c] ?? null;
    const articleCell = row[mapping.article];
    if (articleCell !== null && articleCell !== undefined) out[mapping.article] = cellText(articleCell);
    const qtyCell = mapping.quantity === null ? null : (row[mapping.quantity] ?? null);
    const qty = parseQuantity(qtyCell);
    notes.length = 0;
    let status: LineStatus;
    let pick: Pick | null = null;
    let analogGroups: readonly OfferGroup[] = NO_GROUPS;
    const slot = this.slots[i];
    if (slot === null || typeof qty !== 'number') {
      status = 'invalid';
      const problem = lineProblem(prepared.brands[i], prepared.articles[i], qtyCell) ?? 'article';
      notes.push(t.note({ kind: 'invalid', problem, value: cellText(qtyCell).trim() }));
    } else {
      own.brand = prepared.brands[i];
      own.article = prepared.articles[i];
      own.rows = slot.rows;
      own.from = slot.from;
      own.to = slot.to;
      if (this.withAnalogs) analogGroups = analogGroupsOf(prepared, i);
      pick = bestOffer(own, analogGroups, mode, qty, pricing, this.scratch);
      status = pick === null ? 'not_found' : pick.full ? 'found' : 'partial';
      if (pick !== null) {
        if (pick.group.analog) {
          counts.analogs++;
          notes.push(t.note({ kind: 'analog', brand: own.brand, article: own.article }));
        }
        if (!pick.full) notes.push(t.note({ kind: 'short', by: qty - pick.orderQty }));
        const pack = pick.rows.packOf(pick.row);
        const minQty = pick.rows.minQtyOf(pick.row);
        if (pick.orderQty !== qty && (pack > 1 || minQty > 1)) {
          if (pick.full) counts.rounded++;
          if (minQty > qty && pick.full) notes.push(t.note({ kind: 'minimum', min: minQty }));
          if (pack > 1 && pick.orderQty % pack === 0 && (pick.orderQty !== minQty || !pick.full))
            notes.push(t.note({ kind: 'pack', pack }));
        }
      } else {
        const why = whyNone(own, analogGroups, pricing);
        if (why) notes.push(t.note(why));
      }
      if (prepared.aliased[i]) {
        counts.aliased++;
        notes.push(t.note({ kind: 'alias', brand: own.brand }));
      }
    }
    stats.rows++;
    if (status === 'found') stats.found++;
    else if (status === 'partial') stats.partial++;
    else if (status === 'not_found') stats.notFound++;
    else stats.invalid++;
    let w = width;
    if (pick) {
      const { rows: o, row: r } = pick;
      const total = round2(pick.cost);
      const supplier = o.supplierOf(r);
      out[w++] = supplier;
      out[w++] = o.nameOf(r);
      if (this.withAnalogs) {
        out[w++] = pick.group.brand;
        out[w++] = pick.group.article;
      }
      out[w++] = o.price[r];
      out[w++] = o.currencyOf(r);
      out[w++] = o.quantity[r];
      out[w++] = o.days[r];
      out[w++] = pick.orderQty;
      out[w++] = total;
      const perSupplier = this.o.perSupplier;
      let s = perSupplier.get(supplier);
      if (!s) perSupplier.set(supplier, (s = { lines: 0, cost: new Map() }));
      s.lines++;
      const currency = pricing.rates ? this.o.base : o.currencyOf(r);
      s.cost.set(currency, (s.cost.get(currency) ?? 0) + total);
    } else {
      while (w < outWidth - 2) out[w++] = null;
    }
    out[w++] = t.status[status];
    out[w] = notes.length === 0 ? null : notes.join('; ');
    this.qty = slot !== null && typeof qty === 'number' ? qty : null;
    this.pick = pick;
    this.analogGroups = analogGroups;
    return this.o.result.writeRow(out, this.o.fills[status]);
  }

  /** The Alternatives sheet's rows of the line `line` just wrote: its next-best offers. */
  async alternatives(i: number): Promise<void> {
    const alt = this.o.alt;
    const qty = this.qty;
    if (!alt || qty === null) return;
    const { mapping, mode, pricing } = this.o;
    const row = this.rows[i];
    const ranked = rankOffers(candidateGroups(this.own, this.analogGroups, mode, this.pick), qty, pricing);
    for (let r = 1; r < ranked.length && r <= this.o.alternatives; r++) {
      const p = ranked[r];
      const o = p.offer;
      const cells: CellValue[] = [
        this.rowNumbers[i],
        cellText(row[mapping.brand] ?? null),
        cellText(row[mapping.article] ?? null),
        qty,
        r,
        o.supplier,
        o.name,
      ];
      if (this.withAnalogs) cells.push(p.group.brand, p.group.article);
      cells.push(o.price, o.currency, o.quantity, o.deliveryDays, p.orderQty, round2(p.cost));
      const wait = alt.writeRow(cells);
      if (wait) await wait;
    }
  }
}

/** A line's analog groups: each cross of its part with the offers the batch looked up for it. */
function analogGroupsOf(prepared: PreparedBatch, i: number): readonly OfferGroup[] {
  const crosses = prepared.crossesOf(i);
  if (crosses.length === 0) return NO_GROUPS;
  const groups: OfferGroup[] = [];
  for (const k of crosses) {
    const slot = prepared.slotOf(k.brand, k.article);
    if (slot !== null && slot.to > slot.from)
      groups.push({
        brand: k.brand,
        article: k.article,
        analog: true,
        rows: slot.rows,
        from: slot.from,
        to: slot.to,
      });
  }
  return groups;
}

function hasValueFrom(row: Row, from: number): boolean {
  for (let c = from; c < row.length; c++) if (row[c] !== null && row[c] !== '') return true;
  return false;
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
