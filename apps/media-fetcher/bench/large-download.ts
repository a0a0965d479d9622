// Memory while fetching a file far larger than the process's memory: one remote file of --size-mib MiB (generated
// on the fly by the testkit remote homeserver), downloaded through a real Squid by the media service into the
// store (multipart parse, size cap, sha256, fsync, rename), with the peak RSS sampled every 20 ms.
//   node --import=tsx bench/large-download.ts --size-mib 2048
// Prints one JSON line. Not a test: nothing here asserts; BENCHMARKS.md reports the figures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import {
	createCertificateAuthority,
	loopbackLookup,
	startRemoteHomeserver,
	startSquid,
} from '@homeserver/testkit';
import { pino } from 'pino';
import { createRemoteSourceFromConfig, mediaRef, MediaService, MediaStore } from '../src/index.js';

const MiB = 1024 * 1024;
const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '1024' } } });
const size = Number(values['size-mib']) * MiB;

const dir = await mkdtemp(join(tmpdir(), 'media-fetcher-bench-'));
const ca = await createCertificateAuthority();
const key = generateSigningKey('bench');
await writeFile(join(dir, 'signing.key'), key.toKeyFileText(), { mode: 0o600 });
await writeFile(join(dir, 'ca.pem'), ca.certPem);
const remote = await startRemoteHomeserver({
	serverName: 'remote.test',
	tls: await ca.issue({ dnsNames: ['remote.test'] }),
	keys: { 'local.test': { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
});
const serverName = `remote.test:${remote.port}`;
remote.setServerName(serverName);
remote.media.add('big', { size, contentType: 'application/octet-stream' });
const squid = await startSquid({ hosts: { 'remote.test': '127.0.0.1' } });
const config = loadConfig({
	env: {},
	configPath: join(dir, 'homeserver.yaml'),
	yamlText: [
		'server_name: local.test',
		'signing_key_path: signing.key',
		`https_proxy: ${squid.url}`,
		'federation_custom_ca_list: [ca.pem]',
		`max_upload_size: ${size + MiB}`,
		'media_store_path: media',
	].join('\n'),
});
const logger = pino({ level: 'silent' });
const { source, http } = await createRemoteSourceFromConfig(config, { logger, lookup: loopbackLookup({}) });
const store = await MediaStore.open({ root: config.mediaStorePath, databasePath: join(dir, 'media.db') });
const service = new MediaService({
	store,
	source,
	maxBytes: config.maxUploadSize,
	logger,
	maxDownloadMs: 3_600_000,
});

globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => {
	peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
const started = process.hrtime.bigint();
try {
	const { media } = await service.get(mediaRef(serverName, 'big'));
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	clearInterval(sampler);
	console.log(
		JSON.stringify({
			scenario: 'media-fetcher large download through Squid',
			node: process.version,
			sizeMiB: size / MiB,
			stored: media.size === size,
			seconds: Number(seconds.toFixed(2)),
			mibPerSecond: Number((size / MiB / seconds).toFixed(1)),
			rssBeforeMiB: Number((rssBefore / MiB).toFixed(1)),
			peakRssMiB: Number((peakRss / MiB).toFixed(1)),
		}),
	);
} finally {
	clearInterval(sampler);
	http.close();
	store.close();
	await squid.close();
	await remote.close();
	await rm(dir, { recursive: true, force: true });
}
