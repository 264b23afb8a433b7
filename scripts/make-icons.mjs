// Renders assets/icon.svg into the PNGs the app and the installers use (run after changing the SVG):
//   node scripts/make-icons.mjs
// Uses Debian's Chromium through Playwright (no browser download).
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';

const svg = readFileSync('assets/icon.svg', 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage();
async function render(file, size, { template = false } = {}) {
  const body = template
    ? svg
        .replace(/fill="url\(#bg\)"/, 'fill="none"')
        .replaceAll('#fff', '#000')
        .replace('#ffd166', '#000')
    : svg;
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${body.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
  );
  await page.screenshot({ path: file, omitBackground: true });
}
await render('assets/icon.png', 512);
await render('assets/tray.png', 32);
await render('assets/trayTemplate.png', 16, { template: true });
await render('assets/trayTemplate@2x.png', 32, { template: true });
await browser.close();
console.log('wrote assets/icon.png, tray.png, trayTemplate.png, trayTemplate@2x.png');
