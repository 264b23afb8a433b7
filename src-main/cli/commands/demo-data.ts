import type { Command } from 'commander';
import { createDemoData } from '../../../src-worker/api.ts';
import { clickhouseFromFlags, UsageError, wholeNumber, type ClickHouseFlags } from '../flags.ts';

export function registerDemoData(program: Command): void {
  program
    .command('demo-data')
    .description(
      'Create the canonical tables in a ClickHouse database and fill them with deterministic demo offers.',
    )
    .option('--clickhouse-url <url>', 'ClickHouse URL (default: $CROSSDOCK_CLICKHOUSE_URL)')
    .option('--clickhouse-db <db>', 'database to create or refill', 'crossdock')
    .option('--offers <n>', 'how many offers', '3000000')
    .option('--verbose', 'print stack traces')
    .action(demoData);
}

async function demoData(o: ClickHouseFlags & { offers: string }): Promise<void> {
  const ch = clickhouseFromFlags(o);
  if (!ch) throw new UsageError('CLI_DEMO_DATA_NEEDS_URL', {});
  const offers = wholeNumber('--offers', o.offers, 1, 1_000_000_000);
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  const result = await createDemoData(ch, {
    offers,
    onProgress: (done, total) => {
      if (tty)
        process.stderr.write(
          `\r\x1b[2Kloading demo offers: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`,
        );
    },
  });
  if (tty) process.stderr.write('\r\x1b[2K');
  process.stderr.write(
    `Loaded ${result.offers.toLocaleString('en-US')} offers, ${result.lists} supplier lists, ${result.crosses.toLocaleString('en-US')} crosses, ${result.aliases} brand aliases and ${result.rates} exchange rates into ${ch.database} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
  );
}
