import { expect, test } from './bridge.ts';

test('Settings → Updates: off without an update URL; then each state the updater pushes', async ({
  page,
  bridge,
  problems,
}) => {
  await page.goto(bridge.url);
  await page.getByTestId('nav-settings').click();
  const status = page.getByTestId('updates-status');
  await expect(status).toHaveText('Updates are off: this build of Crossdock has no update address.');
  await expect(page.getByTestId('updates-check')).toHaveCount(0);

  // A build with an update URL: the card checks on request and follows the pushed states.
  await bridge.setState({ update: { state: 'up-to-date', version: '0.1.0' } });
  await bridge.emit('update', { state: 'idle' });
  await expect(status).toHaveText('Not checked yet. Crossdock 0.1.0.');
  await page.getByTestId('updates-check').click();
  await expect(status).toHaveText('Crossdock 0.1.0 is up to date.');
  expect((await bridge.state()).calls.some((c) => c.method === 'checkForUpdates')).toBe(true);

  await bridge.emit('update', { state: 'checking' });
  await expect(status).toHaveText('Checking for updates…');
  await expect(page.getByTestId('updates-check')).toBeDisabled();
  await bridge.emit('update', { state: 'downloading', version: '0.2.0', percent: 42 });
  await expect(status).toHaveText('Downloading Crossdock 0.2.0: 42 %.');
  await bridge.emit('update', { state: 'ready', version: '0.2.0' });
  await expect(status).toHaveText('Crossdock 0.2.0 is ready: it installs when you quit the app.');
  await bridge.emit('update', { state: 'error', message: 'net::ERR_NAME_NOT_RESOLVED.' });
  await expect(status).toHaveText('The update check failed: net::ERR_NAME_NOT_RESOLVED.');

  // Check at start is saved at once.
  await page.getByTestId('updates-check-on-start').uncheck();
  await expect
    .poll(async () => (await bridge.call<{ checkUpdates: boolean }>('getSettings')).checkUpdates)
    .toBe(false);
  expect(problems).toEqual([]);
});
