import type { Job } from '../common/types.ts';

const BAR = 24;

/** One progress line per job on a terminal, redrawn in place. Does nothing when not a TTY. */
export class ProgressDisplay {
  private readonly lines = new Map<string, string>();
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {}

  update(job: Job | null): void {
    if (!this.enabled || !job) return;
    this.lines.set(job.id, render(job));
    const now = Date.now();
    if (now - this.lastDraw < 80 && job.status === 'running') return;
    this.lastDraw = now;
    this.draw();
  }

  private draw(): void {
    let s = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const line of this.lines.values()) s += `\x1b[2K${line.slice(0, (this.out.columns || 100) - 1)}\n`;
    this.drawn = this.lines.size;
    this.out.write(s);
  }

  clear(): void {
    if (!this.enabled || this.drawn === 0) return;
    let s = `\x1b[${this.drawn}A`;
    for (let i = 0; i < this.drawn; i++) s += '\x1b[2K\n';
    s += `\x1b[${this.drawn}A`;
    this.out.write(s);
    this.drawn = 0;
  }
}

function render(job: Job): string {
  const p = job.progress;
  if (job.status === 'queued') return `${job.name}  queued`;
  if (!p || job.status !== 'running') return `${job.name}  ${job.status}`;
  const frac = p.total ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * BAR);
  const bar = `[${'█'.repeat(filled)}${'·'.repeat(BAR - filled)}]`;
  const pct = p.total ? `${Math.floor(frac * 100)}%`.padStart(4) : '  … ';
  const rows = `${p.done.toLocaleString('en-US')}${p.total ? `/${p.total.toLocaleString('en-US')}` : ''} rows`;
  const eta = p.eta !== null && p.eta !== undefined ? `  ETA ${formatSeconds(p.eta)}` : '';
  return `${job.name}  ${bar} ${pct}  ${rows}  ${p.stage}${eta}`;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
