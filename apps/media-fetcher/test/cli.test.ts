import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '@homeserver/config';
import test from 'ava';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/main.js';
import { createProgressReporter } from '../src/cli/progress.js';
import { CDN_BYTES, startEnvironment, type Environment } from './helpers/e2e.js';

function collect(): { stream: PassThrough; text: () => string } {
	const stream = new PassThrough();
	const chunks: Buffer[] = [];
	stream.on('data', (chunk: Buffer) => chunks.push(chunk));
	return { stream, text: () => Buffer.concat(chunks).toString() };
}

function cliIo(env: Environment | undefined, extra: Partial<CliIo> = {}) {
	const stdout = collect();
	const stderr = collect();
	const io: CliIo = {
		stdout: stdout.stream,
		stderr: stderr.stream,
		stderrIsTty: false,
		loadConfig: (configPath) => loadConfig({ env: {}, configPath }),
		...(env === undefined ? {} : { remote: env.remoteOptions }),
		...extra,
	};
	return { io, stdout, stderr };
}

test('usage errors print ERR_USAGE and exit 2', async (t) => {
	const none = cliIo(undefined);
	t.is(await runCli([], none.io), 2);
	t.regex(none.stderr.text(), /media-fetcher fetch <mxc:\/\/server\/id>/);
	const missing = cliIo(undefined);
	t.is(await runCli(['fetch', '--config', 'x.yaml'], missing.io), 2);
	t.regex(missing.stderr.text(), /^ERR_USAGE: /);
	const unknown = cliIo(undefined);
	t.is(await runCli(['fetch', 'mxc://a/b', '--frobnicate'], unknown.io), 2);
	t.regex(unknown.stderr.text(), /^ERR_USAGE: /);
});

test('a bad mxc URI prints its code and exits 1', async (t) => {
	const bad = cliIo(undefined);
	t.is(await runCli(['fetch', 'mxc://remote.example/a.b', '--config', 'x.yaml'], bad.io), 1);
	t.regex(bad.stderr.text(), /^ERR_INVALID_MEDIA_ID: /);
});

test.serial('fetch downloads through Squid into --output with plain progress lines', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.legacyOnly();
	env.remote.media.add('legacy', { bytes: CDN_BYTES, contentType: 'image/png' });
	const output = join(env.dir, 'out.txt');
	const { io, stderr } = cliIo(env);
	const mxc = `mxc://${env.serverName}/legacy`;
	t.is(await runCli(['fetch', mxc, '--config', env.configPath, '--output', output], io), 0, stderr.text());
	t.true((await readFile(output)).equals(CDN_BYTES));
	t.regex(stderr.text(), new RegExp(`${mxc}: 360 B / 360 B\\n`));
	t.regex(stderr.text(), /downloaded, 360 B \(360 bytes\), image\/png, sha256 [0-9a-f]{64}/);
});

test.serial(
	'fetch writes to stdout without --output, and a remote failure prints code: message',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		env.remote.media.add('inline', { bytes: 'inline bytes', contentType: 'text/plain' });
		const ok = cliIo(env);
		t.is(await runCli(['fetch', `mxc://${env.serverName}/inline`, '--config', env.configPath], ok.io), 0);
		t.is(ok.stdout.text(), 'inline bytes');
		const failed = cliIo(env);
		t.is(
			await runCli(['fetch', `mxc://${env.serverName}/missing`, '--config', env.configPath], failed.io),
			1,
		);
		t.regex(failed.stderr.text(), /^ERR_MEDIA_NOT_FOUND: Remote media not found/m);
	},
);

test.serial(
	'serve answers media requests, metrics with the outbound counters, and logs failure causes until stopped',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		env.remote.media.addRedirect('location', `http://cdn.test:${env.cdn.port}/media/location`);
		env.remote.media.addRedirect('location_blocked', `http://127.0.0.1:${env.cdn.port}/media/x`);
		const stop = new AbortController();
		const { io, stdout } = cliIo(env, { stop: stop.signal });
		const exit = runCli(['serve', '--config', env.configPath], io);
		let listening: { port: number; metricsPort: number } | undefined;
		while (listening === undefined) {
			await new Promise((resolve) => setTimeout(resolve, 20));
			const line = stdout
				.text()
				.split('\n')
				.find((entry) => entry.includes('media-fetcher listening'));
			listening =
				line === undefined ? undefined : (JSON.parse(line) as { port: number; metricsPort: number });
		}
		const response = await fetch(
			`http://127.0.0.1:${listening.port}/_matrix/client/v1/media/download/${env.serverName}/location`,
		);
		t.is(response.status, 200);
		t.is(await response.text(), CDN_BYTES.toString());
		t.is(response.headers.get('content-disposition'), 'inline; filename="from-cdn.txt"');
		const blocked = await fetch(
			`http://127.0.0.1:${listening.port}/_matrix/client/v1/media/download/${env.serverName}/location_blocked`,
		);
		t.is(blocked.status, 502);
		t.deepEqual(await blocked.json(), { errcode: 'M_UNKNOWN', error: 'Failed to fetch remote media' });
		const metrics = await (await fetch(`http://127.0.0.1:${listening.metricsPort}/metrics`)).text();
		t.regex(metrics, /media_fetcher_downloads_total\{outcome="ok"\} 1/);
		t.regex(metrics, /process_cpu_user_seconds_total/);
		// The outbound stack counts in the same registry: two signed requests tunnelled through Squid, one Location
		// fetched through it, one refused before any connection.
		t.regex(metrics, /^outbound_requests_total\{purpose="federation",route="proxy"\} 2$/m);
		t.regex(metrics, /^outbound_requests_total\{purpose="media_redirect",route="proxy"\} 1$/m);
		t.regex(metrics, /^outbound_requests_total\{purpose="media_redirect",route="blocked"\} 1$/m);
		t.regex(metrics, /^outbound_request_errors_total\{purpose="media_redirect",code="ERR_IP_BLOCKED"\} 1$/m);
		const failure = stdout
			.text()
			.split('\n')
			.find((line) => line.includes('remote media download failed'));
		t.like(JSON.parse(failure ?? '{}'), { code: 'ERR_REMOTE_FAILED', cause: 'ERR_IP_BLOCKED' });
		stop.abort();
		t.is(await exit, 0);
	},
);

test('the progress bar redraws in place on a terminal and prints lines otherwise', (t) => {
	const tty = collect();
	const bar = createProgressReporter(tty.stream, true, 'mxc://a/b');
	bar.update(512, 1024);
	bar.update(1024, 1024);
	bar.finish();
	t.regex(tty.text(), /\r\x1b\[2Kmxc:\/\/a\/b \[#{30}\] 100% 1\.0 KiB \/ 1\.0 KiB\n$/);
	const plain = collect();
	const lines = createProgressReporter(plain.stream, false, 'x');
	for (let received = 0; received <= 100; received += 5) lines.update(received, 100);
	t.is(plain.text().split('\n').length - 1, 11);
	t.false(plain.text().includes('\r'));
});
