// `npm run dist`: electron-builder with electron-builder.yml, plus the update feed when the build is
// given one. CROSSDOCK_UPDATE_URL (an http(s) folder holding latest.yml, latest-mac.yml,
// latest-linux.yml and the installers, as electron-builder writes them into release/) becomes a
// generic publish provider: electron-builder then writes app-update.yml into the app's resources and
// electron-updater checks that URL. Without it the build has no app-update.yml, and the app's
// Settings say that updates are off.
import { build } from 'electron-builder';

/** The publish settings for an update URL (none without one). */
export function publishConfig(url = process.env.CROSSDOCK_UPDATE_URL) {
  const feed = url?.trim();
  if (!feed) return {};
  if (!/^https?:\/\/\S+$/i.test(feed))
    throw new Error(`CROSSDOCK_UPDATE_URL must be an http(s) URL, not "${feed}".`);
  return { publish: [{ provider: 'generic', url: feed }] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = publishConfig();
  console.log(
    config.publish ? `updates from ${config.publish[0].url}` : 'no CROSSDOCK_UPDATE_URL: updates off',
  );
  // The object is merged over electron-builder.yml; --publish never: build only, upload nothing.
  await build({ config, publish: 'never' });
}
