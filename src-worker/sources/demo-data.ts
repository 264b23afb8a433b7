// Deterministic demo data: the same seed gives the same catalog on every machine, so the sample
// request list in assets/samples/ always finds its offers.
import { normalizeArticle, normalizeBrand } from '../../src-main/common/normalize.ts';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_BRANDS = [
  'BOSCH',
  'MANN-FILTER',
  'MAHLE',
  'FEBI BILSTEIN',
  'SACHS',
  'LEMFÖRDER',
  'TRW',
  'VALEO',
  'DENSO',
  'NGK',
  'GATES',
  'CONTITECH',
  'SKF',
  'INA',
  'LUK',
  'HELLA',
  'MONROE',
  'KYB',
  'BREMBO',
  'ATE',
  'TEXTAR',
  'FERODO',
  'DELPHI',
  'MAGNETI MARELLI',
  'SWAG',
  'TOPRAN',
  'ELRING',
  'VICTOR REINZ',
  'CORTECO',
  'FILTRON',
  'KNECHT',
  'HENGST',
  'PIERBURG',
  'NISSENS',
  'BEHR',
  'LYNXAUTO',
  'STELLOX',
  'ЛУЗАР',
  'ТРЕК',
  'АВТОВАЗ',
];

export const DEMO_SUPPLIERS: { name: string; currency: string; priceFactor: number; days: number }[] = [
  'Автоальянс',
  'Берг',
  'Восток-Трейд',
  'Гарант-Запчасть',
  'Движение',
  'Евроавто',
  'Ижора-Снаб',
  'Камаз-Деталь',
  'Лидер-Авто',
  'Магистраль',
  'Норд-Партс',
  'Омега',
  'Прайм-Детали',
  'Регион-М',
  'Сибирь-Авто',
  'ТрансЗапчасть',
  'Урал-Опт',
  'Форвард',
  'Autodoc Pro',
  'EuroParts GmbH',
  'Inter Cars',
  'Motorhub',
  'PartsPoint',
  'Zap-Express',
].map((name, i) => ({
  name,
  currency: name === 'EuroParts GmbH' || name === 'Inter Cars' ? 'EUR' : 'RUB',
  priceFactor: 0.85 + ((i * 37) % 31) / 100,
  days: i % 6,
}));

export const DEMO_LISTS: Record<string, number[]> = {
  'ОПТ-1': range(0, 12),
  'ОПТ-2': range(8, 20),
  РОЗН: range(14, 24),
};

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export const DEMO_PARTS = 60_000;

export interface DemoPart {
  brand: string;
  /** The article as a catalog prints it (spaces, dashes, slashes). */
  display: string;
  name: string;
  basePrice: number;
}

const NAMES = [
  'Фильтр масляный',
  'Фильтр воздушный',
  'Колодки тормозные',
  'Диск тормозной',
  'Свеча зажигания',
  'Ремень ГРМ',
  'Амортизатор',
  'Подшипник ступицы',
  'Рычаг подвески',
  'Прокладка ГБЦ',
  'Насос водяной',
  'Термостат',
  'Датчик кислородный',
  'Лампа H7',
  'Сайлентблок',
  'Шаровая опора',
  'Радиатор',
  'Стартер',
];

/** Part i of the demo catalog (0 ≤ i < DEMO_PARTS). */
export function demoPart(i: number): DemoPart {
  const r = prng(i * 7919 + 17);
  const brand = DEMO_BRANDS[i % DEMO_BRANDS.length];
  const n = Math.floor(r() * 1e9);
  const style = i % 5;
  let display: string;
  if (style === 0) display = `0 ${String(n % 1000).padStart(3, '0')} ${String(i).padStart(5, '0')} ${n % 10}`;
  else if (style === 1) display = `W${(n % 900) + 100}/${String(i % 100).padStart(2, '0')}-${i}`;
  else if (style === 2) display = `${String(i).padStart(6, '0')}${n % 10}`;
  else if (style === 3) display = `${brand.slice(0, 2)}-${i}-${String(n % 1000).padStart(3, '0')}`;
  else display = `${(n % 90) + 10}.${i}.${n % 7}`;
  return {
    brand,
    display,
    name: `${NAMES[n % NAMES.length]} ${brand}`,
    basePrice: Math.round((150 + r() * 9000) * 100) / 100,
  };
}

export interface DemoOffer {
  supplier: string;
  price: number;
  currency: string;
  quantity: number;
  deliveryDays: number;
}

/** The offers of part i: 2 to 8 suppliers, some with no stock. */
export function demoOffers(i: number): DemoOffer[] {
  const part = demoPart(i);
  const r = prng(i * 104729 + 3);
  const count = 2 + Math.floor(r() * 7);
  const used = new Set<number>();
  const offers: DemoOffer[] = [];
  while (offers.length < count) {
    const s = Math.floor(r() * DEMO_SUPPLIERS.length);
    if (used.has(s)) continue;
    used.add(s);
    const sup = DEMO_SUPPLIERS[s];
    const rub = part.basePrice * sup.priceFactor * (0.9 + r() * 0.2);
    const price = sup.currency === 'EUR' ? rub / 95 : rub;
    const q = r();
    offers.push({
      supplier: sup.name,
      price: Math.round(price * 100) / 100,
      currency: sup.currency,
      quantity: q < 0.15 ? 0 : Math.floor(1 + r() * (q < 0.5 ? 10 : 200)),
      deliveryDays: sup.days + Math.floor(r() * 8),
    });
  }
  return offers;
}

// ── the showcase: a few hand-made parts that show what the crossdock rule does ──────────────────
// Analogs (crosses), brands under other names (aliases), packs and minimum orders, and offers in
// EUR and USD priced through the rates table. They come after the generated parts and use three
// suppliers of their own (besides some of the generated ones), so no generated part's offers change.

/** Suppliers that quote only showcase parts, and the lists they are in. */
export const SHOWCASE_SUPPLIERS: { name: string; currency: string; lists: string[] }[] = [
  { name: 'Euro Spares BV', currency: 'EUR', lists: ['ОПТ-1', 'ОПТ-2'] },
  { name: 'Pacific Parts', currency: 'USD', lists: ['ОПТ-1', 'РОЗН'] },
  { name: 'Склад-Комплект', currency: 'RUB', lists: ['ОПТ-1', 'ОПТ-2', 'РОЗН'] },
];

export interface ShowcaseOffer extends DemoOffer {
  /** Minimum order (1 = none). */
  minQty: number;
  /** Order multiple (1 = none). */
  pack: number;
}

export interface ShowcasePart {
  brand: string;
  display: string;
  name: string;
  offers: ShowcaseOffer[];
}

const so = (
  supplier: string,
  price: number,
  quantity: number,
  deliveryDays: number,
  more: { currency?: string; minQty?: number; pack?: number } = {},
): ShowcaseOffer => ({
  supplier,
  price,
  currency: more.currency ?? 'RUB',
  quantity,
  deliveryDays,
  minQty: more.minQty ?? 1,
  pack: more.pack ?? 1,
});

export const SHOWCASE_PARTS: ShowcasePart[] = [
  // Only the analogs have stock: with analogs "missing", KNECHT OC 1051 is offered instead.
  {
    brand: 'MANN-FILTER',
    display: 'W 712/95',
    name: 'Фильтр масляный MANN-FILTER',
    offers: [so('Автоальянс', 540, 0, 2), so('Берг', 565, 0, 1), so('Урал-Опт', 590, 0, 3)],
  },
  {
    brand: 'KNECHT',
    display: 'OC 1051',
    name: 'Фильтр масляный KNECHT',
    offers: [so('Лидер-Авто', 498, 25, 1), so('Омега', 512, 40, 2), so('Регион-М', 505, 12, 2)],
  },
  {
    brand: 'FILTRON',
    display: 'OP 641/1',
    name: 'Фильтр масляный FILTRON',
    offers: [so('Берг', 470, 3, 2), so('Zap-Express', 480, 30, 1)],
  },
  // The part has stock, its analogs are cheaper: analogs "always" picks TRW GDB1550.
  {
    brand: 'BOSCH',
    display: '0 986 494 294',
    name: 'Колодки тормозные BOSCH',
    offers: [so('Автоальянс', 3150, 12, 1), so('Омега', 3290, 30, 2), so('Урал-Опт', 3400, 9, 2)],
  },
  {
    brand: 'TRW',
    display: 'GDB1550',
    name: 'Колодки тормозные TRW',
    offers: [so('Лидер-Авто', 2680, 8, 2), so('Регион-М', 2750, 20, 3)],
  },
  {
    brand: 'TEXTAR',
    display: '2391901',
    name: 'Колодки тормозные TEXTAR',
    offers: [so('Берг', 2890, 5, 3)],
  },
  // Brands a buyer writes differently: MERCEDES (alias of MERCEDES-BENZ), LEMFORDER (of LEMFÖRDER).
  {
    brand: 'MERCEDES-BENZ',
    display: 'A 000 180 26 09',
    name: 'Фильтр масляный MERCEDES-BENZ',
    offers: [so('Автоальянс', 1890, 15, 2), so('Движение', 1950, 6, 1)],
  },
  {
    brand: 'LEMFÖRDER',
    display: '30 140 01',
    name: 'Рычаг подвески LEMFÖRDER',
    offers: [so('Берг', 4120, 7, 2), so('Омега', 4390, 2, 1)],
  },
  // Packs and minimum orders: 6 spark plugs are ordered as 8 (pack of 4); 8 filters as 10 (minimum 10).
  {
    brand: 'NGK',
    display: 'BKR6E-11',
    name: 'Свеча зажигания NGK',
    offers: [
      so('Склад-Комплект', 310, 200, 1, { pack: 4 }),
      so('Омега', 330, 100, 2, { pack: 10 }),
      so('Автоальянс', 355, 3, 1),
    ],
  },
  {
    brand: 'FILTRON',
    display: 'OP 526',
    name: 'Фильтр масляный FILTRON',
    offers: [so('Склад-Комплект', 260, 500, 2, { minQty: 10 }), so('Движение', 335, 50, 1)],
  },
  {
    brand: 'CONTITECH',
    display: 'CT 1028',
    name: 'Ремень ГРМ CONTITECH',
    offers: [so('Склад-Комплект', 1480, 120, 3, { minQty: 4, pack: 10 }), so('Лидер-Авто', 1720, 2, 1)],
  },
  // Other currencies, compared in RUB through the rates table: the EUR offer wins, then the USD one.
  {
    brand: 'BREMBO',
    display: '09.A820.11',
    name: 'Диск тормозной BREMBO',
    offers: [
      so('Автоальянс', 9850, 6, 2),
      so('Euro Spares BV', 96.4, 10, 5, { currency: 'EUR' }),
      so('Pacific Parts', 112, 4, 7, { currency: 'USD' }),
    ],
  },
  {
    brand: 'DENSO',
    display: 'K20TT',
    name: 'Свеча зажигания DENSO',
    offers: [
      so('Pacific Parts', 4.1, 100, 6, { currency: 'USD' }),
      so('Автоальянс', 395, 40, 1),
      so('Euro Spares BV', 4.3, 50, 5, { currency: 'EUR' }),
    ],
  },
];

/** Every offer of the showcase with its part's normalized key and name, in order. */
export function showcaseOffers(): (ShowcaseOffer & { brand: string; article: string; name: string })[] {
  return SHOWCASE_PARTS.flatMap((p) =>
    p.offers.map((o) => ({
      ...o,
      brand: normalizeBrand(p.brand),
      article: normalizeArticle(p.display),
      name: p.name,
    })),
  );
}

/** Who is in which supplier list: the generated suppliers (DEMO_LISTS), then the showcase's. */
export function demoListMembers(): [list: string, supplier: string][] {
  const members: [string, string][] = [];
  for (const [list, suppliers] of Object.entries(DEMO_LISTS))
    for (const s of suppliers) members.push([list, DEMO_SUPPLIERS[s].name]);
  for (const s of SHOWCASE_SUPPLIERS) for (const list of s.lists) members.push([list, s.name]);
  return members;
}

/** A cross as the tables hold it: brand, article, cross brand, cross article, all normalized. */
export type DemoCross = [brand: string, article: string, crossBrand: string, crossArticle: string];

/**
 * The demo crosses: the showcase's (one written the other way round, as tables often are), and
 * generated ones between neighbouring parts of different brands (every 97th part with the next one;
 * every 291st also with the one after).
 */
export function demoCrosses(): DemoCross[] {
  const key = (brand: string, display: string): [string, string] => [
    normalizeBrand(brand),
    normalizeArticle(display),
  ];
  const crosses: DemoCross[] = [
    [...key('KNECHT', 'OC 1051'), ...key('MANN-FILTER', 'W 712/95')],
    [...key('MANN-FILTER', 'W 712/95'), ...key('FILTRON', 'OP 641/1')],
    [...key('BOSCH', '0 986 494 294'), ...key('TRW', 'GDB1550')],
    [...key('BOSCH', '0 986 494 294'), ...key('TEXTAR', '2391901')],
  ];
  const partKey = (i: number): [string, string] => key(demoPart(i).brand, demoPart(i).display);
  for (let i = 0; i + 2 < DEMO_PARTS; i += 97) {
    crosses.push([...partKey(i), ...partKey(i + 1)]);
    if (i % 291 === 0) crosses.push([...partKey(i + 2), ...partKey(i)]);
  }
  return crosses;
}

/** Brand aliases (alias → brand) as a buyer's spreadsheets spell the demo brands; normalized by the writers. */
export const DEMO_BRAND_ALIASES: [alias: string, brand: string][] = [
  ['LEMFORDER', 'LEMFÖRDER'],
  ['ЛЕМФОРДЕР', 'LEMFÖRDER'],
  ['MANN', 'MANN-FILTER'],
  ['MANN FILTER', 'MANN-FILTER'],
  ['MERCEDES', 'MERCEDES-BENZ'],
  ['MERCEDES BENZ', 'MERCEDES-BENZ'],
  ['MB', 'MERCEDES-BENZ'],
  ['FEBI', 'FEBI BILSTEIN'],
  ['REINZ', 'VICTOR REINZ'],
  ['MAGNETI', 'MAGNETI MARELLI'],
  ['KAYABA', 'KYB'],
  ['LUZAR', 'ЛУЗАР'],
  ['VAZ', 'АВТОВАЗ'],
  ['LADA', 'АВТОВАЗ'],
  ['БОШ', 'BOSCH'],
];

/** Made-up exchange rates to RUB (the base currency): the value of one unit in roubles. */
export const DEMO_RATES: [currency: string, rate: number][] = [
  ['RUB', 1],
  ['EUR', 95],
  ['USD', 90],
];
