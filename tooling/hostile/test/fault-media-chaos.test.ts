import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { mediaRef, storeLayout } from '@homeserver/media-fetcher';
import { findFreePort, generatedBytes, startRemoteHomeserver } from '@homeserver/testkit';
import test from 'ava';
import {
	appDir,
	appsCanRun,
	seededRandom,
	sleep,
	startRestartableSquid,
	waitFor,
} from './helpers/app-env.js';
import { cliOf, startNode } from './helpers/child.js';
import type { Child } from './helpers/child.js';
import { LeakAudit, withCredentials } from './helpers/secrets.js';
import { testPki } from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

const FETCHER = cliOf('@homeserver/media-fetcher');
/** Distinct sizes, so that a truncated file can never pass for a complete one. */
const SIZES = [3_000_017, 5_000_011, 7_000_003, 9_000_001, 1_500_007, 11_000_027];
const KILLS = 3;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** GETs `path` on the fetcher; resolves with the status and the body's hash, or with the error text. */
function download(port: number, path: string): Promise<{ status: number; sha: string } | string> {
	return new Promise((resolve) => {
		get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
			const hash = createHash('sha256');
			response.on('data', (chunk: Buffer) => hash.update(chunk));
			response.on('end', () => resolve({ status: response.statusCode ?? 0, sha: hash.digest('hex') }));
			response.on('error', (error) => resolve(String(error)));
		}).once('error', (error) => resolve(String(error)));
	});
}

async function filesUnder(dir: string): Promise<string[]> {
	const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
	return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

test('the media fetcher SIGKILLed at random points mid-download never shows a partial file, and recovers', async (t) => {
	t.timeout(120_000);
	if (!(await appsCanRun(t))) return;
	const seed = Date.now() % 1_000_000;
	const random = seededRandom(seed);
	t.log(`seed ${seed}`);
	const { dir, key } = await appDir(t, 'media');
	const { destination: tls } = await testPki();
	const remote = await startRemoteHomeserver({
		serverName: 'remote.test',
		tls,
		keys: { 'origin.test': { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
	});
	t.teardown(() => remote.close());
	remote.setServerName(`remote.test:${remote.port}`);
	// Fresh media for every round, so each kill lands on downloads really in flight.
	const expected = new Map<string, string>();
	const rounds: string[][] = [];
	for (let round = 1; round <= KILLS; round++) {
		rounds.push(
			SIZES.map((base, index) => {
				const id = `r${round}f${index}`;
				const size = base + round * 101;
				remote.media.add(id, { size, contentType: 'application/octet-stream' });
				expected.set(id, sha256(generatedBytes(0, size)));
				return id;
			}),
		);
	}
	const squid = await startRestartableSquid({ 'remote.test': '127.0.0.1' });
	t.teardown(() => squid.close());
	const [listenPort, metricsPort] = [await findFreePort(), await findFreePort()];
	const configPath = join(dir, 'homeserver.yaml');
	await writeFile(
		configPath,
		[
			'server_name: origin.test',
			'signing_key_path: signing.key',
			`https_proxy: ${JSON.stringify(withCredentials(squid.url))}`,
			'federation_custom_ca_list: [ca.pem]',
			'media_store_path: media',
			'max_upload_size: 50M',
			'media_fetcher:',
			`  listen: {bind_address: 127.0.0.1, port: ${listenPort}}`,
			'  database: {name: sqlite3, args: {database: media.db}}',
			`  metrics: {bind_address: 127.0.0.1, port: ${metricsPort}}`,
			'',
		].join('\n'),
	);
	const layout = storeLayout(join(dir, 'media'));
	const pathOf = (id: string): string =>
		`/_matrix/client/v1/media/download/${encodeURIComponent(remote.serverName)}/${id}`;
	const start = async (): Promise<Child> => {
		const child = startNode(FETCHER, ['serve', '--config', configPath], dir);
		await waitFor(
			() => child.output().includes('media-fetcher listening') || child.process.exitCode !== null,
			20_000,
			() => child.output().slice(-2000),
		);
		return child;
	};
	/** Every file at a final path is complete; nothing else lives under `remote/`. */
	const checkStore = async (when: string): Promise<void> => {
		const finals = new Map(
			[...expected.keys()].map((id) => [layout.fileFor(mediaRef(remote.serverName, id)), id]),
		);
		for (const file of await filesUnder(join(layout.root, 'remote'))) {
			const id = finals.get(file);
			t.not(id, undefined, `${when}: unexpected file ${file}`);
			if (id !== undefined)
				t.is(sha256(await readFile(file)), expected.get(id) ?? '', `${when}: ${id} is partial`);
		}
	};

	let midWrite = 0;
	for (const [round, ids] of rounds.entries()) {
		const child = await start();
		const downloads = ids.map((id) => download(listenPort, pathOf(id)));
		// Kill at a random moment once writing has begun (a temporary file exists).
		const begun = Date.now();
		while (Date.now() - begun < 20_000 && (await filesUnder(layout.tempDir)).length === 0) await sleep(5);
		await sleep(Math.floor(random() * 100));
		const partial = (await filesUnder(layout.tempDir)).length;
		await child.kill('SIGKILL');
		if (partial > 0) midWrite += 1;
		audit.addText(`fetcher run ${round}`, child.output());
		await Promise.all(downloads);
		await checkStore(`after kill ${round + 1} (${partial} temporary files at the kill)`);
	}
	t.log(`${midWrite} of ${KILLS} kills landed while a temporary file was being written`);
	t.true(midWrite >= 1, 'at least one kill landed in the middle of a write');

	const child = await start();
	t.teardown(() => child.kill('SIGKILL'));
	for (const id of expected.keys()) {
		const result = await download(listenPort, pathOf(id));
		t.deepEqual(result, { status: 200, sha: expected.get(id) }, id);
	}
	await checkStore('after recovery');
	t.true(squid.connections > 0, 'the downloads went through Squid');
	const leftovers = (await filesUnder(layout.tempDir)).filter(
		(file) => !file.includes(`${child.process.pid}-`),
	);
	t.deepEqual(leftovers, [], 'temporary files of killed runs are swept at start');
	audit.addText(
		'metrics',
		await new Promise<string>((resolve) => {
			get({ host: '127.0.0.1', port: metricsPort, path: '/metrics', agent: false }, (response) => {
				let text = '';
				response
					.setEncoding('utf8')
					.on('data', (chunk: string) => (text += chunk))
					.on('end', () => resolve(text));
			}).once('error', (error) => resolve(String(error)));
		}),
	);
	await child.kill('SIGTERM');
	audit.addText('fetcher final run', child.output());
	audit.addRequests(
		'remote homeserver',
		remote.requests.map((request) => ({ ...request, content: undefined })),
	);
	t.log(
		`downloads started at the remote: ${[...expected.keys()].map((id) => remote.media.downloads(id)).join(', ')}`,
	);
});
