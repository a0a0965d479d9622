import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { loadConfig } from '@homeserver/config';
import { createRouter } from '@homeserver/outbound-http';
import { createCertificateAuthority } from '@homeserver/testkit';
import { parse } from 'yaml';
import { makeCredentials, proxyUrlWithCredentials } from '../src/credentials.js';
import { DEVNET_NO_PROXY } from '../src/devnet.js';
import { renderHomeserverYaml } from '../src/homeserver-yaml.js';

async function devnetConfig(t: ExecutionContext) {
	const dir = await mkdtemp(join(tmpdir(), 'devnet-yaml-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	const ca = await createCertificateAuthority();
	await writeFile(join(dir, 'ca.pem'), ca.certPem);
	const text = renderHomeserverYaml({
		serverName: 'devnet.localhost',
		signingKeyPath: 'signing.key',
		caFiles: ['ca.pem'],
		mediaStorePath: 'media_store',
		senderMetricsPort: 9101,
		mediaListenPort: 8090,
		mediaMetricsPort: 9102,
	});
	const credentials = makeCredentials();
	const proxy = proxyUrlWithCredentials('https://127.0.0.1:3129', credentials);
	const env = { https_proxy: proxy, http_proxy: proxy, no_proxy: DEVNET_NO_PROXY };
	const config = loadConfig({ env, configPath: join(dir, 'homeserver.yaml'), yamlText: text });
	return { text, config, credentials, dir, ca };
}

test('the generated configuration sends federation to localhost peers through the proxy, no_proxy loopback direct', async (t) => {
	const { config } = await devnetConfig(t);
	const router = createRouter(config);
	const federation = router.route('https://localhost:8448/_matrix/federation/v1/send/1', 'federation');
	t.is(federation.route, 'proxy');
	t.is(federation.mode, 'tunnel');
	t.is(federation.connect, '127.0.0.1:3129');
	t.is(router.route('http://localhost:8080/media/x', 'media_redirect').mode, 'forward');
	t.is(router.route('https://127.0.0.1:8448/_matrix/key/v2/server', 'federation').route, 'direct');
	t.is(router.route('https://[::1]:8448/_matrix/key/v2/server', 'federation').route, 'direct');
});

test('the generated configuration allows only loopback: private and metadata addresses stay blocked', async (t) => {
	const { config } = await devnetConfig(t);
	const router = createRouter(config);
	for (const [url, purpose] of [
		['http://169.254.169.254/latest/meta-data/', 'media_redirect'],
		['http://10.0.0.1/admin', 'push'],
		['https://192.168.1.1/', 'federation'],
		['https://[fd00::1]/', 'federation'],
		['http://[::ffff:10.0.0.1]/', 'media_redirect'],
	] as const) {
		t.is(router.route(url, purpose).route, 'blocked', url);
	}
	t.is(router.route('https://127.0.0.1:8448/', 'federation').route, 'direct');
	t.is(
		router.route('https://127.0.0.2:8448/', 'federation').route,
		'blocked',
		'only 127.0.0.1 itself is allowed',
	);
});

test('the proxy comes from the environment only, and its percent-encoded password decodes to the real one', async (t) => {
	const { text, config, credentials, dir, ca } = await devnetConfig(t);
	const document = parse(text) as Record<string, unknown>;
	for (const key of ['http_proxy', 'https_proxy', 'no_proxy_hosts']) t.false(key in document, key);
	t.false(text.includes(credentials.password));
	t.is(config.proxy.https?.source, 'https_proxy (environment)');
	t.is(config.proxy.https?.username, 'devnet');
	const basic = Buffer.from(`devnet:${credentials.password}`).toString('base64');
	t.is(config.proxy.https?.authorization, `Basic ${basic}`);
	t.deepEqual(config.tls.federationCustomCa, [ca.certPem]);
	t.is(config.signingKeyPath, join(dir, 'signing.key'));
	t.is(config.mediaFetcher.listen.port, 8090);
	t.deepEqual(config.federationSender.metrics, { bindAddress: '127.0.0.1', port: 9101 });
	t.deepEqual(config.warnings, []);
});
