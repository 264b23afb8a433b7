// Deterministic demo data: the same seed gives the same catalog on every machine, so the sample
// request list in assets/samples/ always finds its offers.

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
