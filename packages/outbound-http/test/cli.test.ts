import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { startForwardProxy, startHttpServer } from '@homeserver/testkit';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cli = join(packageDir, 'src', 'cli.ts');

interface Result {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
}

/** Runs the CLI in a child process with exactly this environment (no ambient proxy variables). */
function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			['--import', 'tsx', cli, ...args],
			{ cwd: packageDir, env, timeout: 30_000 },
			(error, stdout, stderr) => {
				resolve({
					code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
					stdout,
					stderr,
				});
			},
		);
	});
}

async function tempDir(t: ExecutionContext): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'outbound-http-cli-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	return dir;
}

test('route --json prints the documented object for proxy, direct and blocked routes', async (t) => {
	const env = { https_proxy: 'http://bob:pinkponies@proxy.example:3128', no_proxy: 'intranet.example' };
	const [proxied, direct, blocked] = await Promise.all([
		run(['route', 'https://matrix.org/_matrix/key/v2/server', '--purpose', 'federation', '--json'], env),
		run(['route', 'https://wiki.intranet.example/', '--json'], env),
		run(['route', 'http://169.254.169.254/latest/meta-data', '--purpose', 'push', '--json'], env),
	]);
	t.is(proxied.code, 0, proxied.stderr);
	t.deepEqual(JSON.parse(proxied.stdout), {
		url: 'https://matrix.org/_matrix/key/v2/server',
		purpose: 'federation',
		route: 'proxy',
		mode: 'tunnel',
		proxy: 'http://bob:***@proxy.example:3128',
		connect: 'proxy.example:3128',
		reason: 'https_proxy (environment)',
	});
	t.false(proxied.stdout.includes('pinkponies'));
	t.deepEqual(JSON.parse(direct.stdout), {
		url: 'https://wiki.intranet.example/',
		purpose: 'url_preview',
		route: 'direct',
		mode: null,
		proxy: null,
		connect: 'wiki.intranet.example:443',
		reason: "no_proxy entry 'intranet.example' (no_proxy (environment))",
	});
	t.like(JSON.parse(blocked.stdout), {
		route: 'blocked',
		connect: null,
		reason: 'IP literal 169.254.169.254 is in ip_range_blacklist range 169.254.0.0/16',
	});
});

test('route reads --config and prints a readable summary; YAML wins over the environment', async (t) => {
	const dir = await tempDir(t);
	const config = join(dir, 'homeserver.yaml');
	await writeFile(config, 'http_proxy: "http://yaml-proxy.example:8080"\n');
	const result = await run(['route', 'http://push.example/notify', '--purpose', 'push', '--config', config], {
		http_proxy: 'http://env-proxy.example:1',
	});
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, /^route: {3}proxy \(forward\)$/m);
	t.regex(result.stdout, /^connect: yaml-proxy\.example:8080$/m);
	t.regex(result.stdout, /^reason: {2}http_proxy \(homeserver\.yaml\)$/m);
});

test('get fetches through the proxy and writes --output; --max-bytes refuses a larger body without leaving a file', async (t) => {
	const body = 'x'.repeat(5000);
	const server = await startHttpServer((_request, response) => response.end(body));
	const proxy = await startForwardProxy();
	t.teardown(async () => {
		await Promise.all([server.close(), proxy.close()]);
	});
	const dir = await tempDir(t);
	const config = join(dir, 'homeserver.yaml');
	await writeFile(config, 'ip_range_whitelist: ["127.0.0.1"]\n');
	const env = { http_proxy: proxy.url };
	const output = join(dir, 'body.txt');
	const ok = await run(['get', `${server.url}/file`, '--config', config, '--output', output], env);
	t.is(ok.code, 0, ok.stderr);
	t.is(await readFile(output, 'utf8'), body);
	t.is(proxy.log[0]?.target, `${server.url}/file`);

	const tooSmall = join(dir, 'small.txt');
	const refused = await run(
		['get', `${server.url}/file`, '--config', config, '--output', tooSmall, '--max-bytes', '100'],
		env,
	);
	t.is(refused.code, 1);
	t.regex(
		refused.stderr,
		/^ERR_RESPONSE_TOO_LARGE: response from http:\/\/127\.0\.0\.1:\d+\/file announces 5000 bytes/m,
	);
	t.deepEqual((await readdir(dir)).sort(), ['body.txt', 'homeserver.yaml']);
});

test('get writes to stdout without --output', async (t) => {
	const server = await startHttpServer((_request, response) => response.end('hello from loopback'));
	t.teardown(() => server.close());
	const result = await run(['get', `${server.url}/`, '--purpose', 'replication']);
	t.is(result.code, 0, result.stderr);
	t.is(result.stdout, 'hello from loopback');
});

test('failing commands exit non-zero with "CODE: message" on stderr', async (t) => {
	const [blocked, badConfig, usage, help] = await Promise.all([
		run(['get', 'http://127.0.0.1:9/', '--purpose', 'push']),
		run(['route', 'https://a.example/'], { https_proxy: 'socks5://proxy.example:1080' }),
		run(['route']),
		run(['--help']),
	]);
	t.is(blocked.code, 1);
	t.regex(
		blocked.stderr,
		/^ERR_IP_BLOCKED: address 127\.0\.0\.1 is blocked: it is in ip_range_blacklist range 127\.0\.0\.0\/8/m,
	);
	t.is(badConfig.code, 1);
	t.regex(badConfig.stderr, /^ERR_CONFIG_INVALID: /m);
	t.is(usage.code, 2);
	t.regex(usage.stderr, /^ERR_USAGE: route needs a URL/m);
	t.is(help.code, 0);
	t.regex(help.stdout, /Default: url_preview/);
});

test('what the CLI prints from its input is escaped: no control, C1 or bidi character reaches the terminal', async (t) => {
	const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
	for (const args of [
		['route', 'http://host.example/\u009b31m\u202e'],
		['route', 'http://host.example/\u009b31m\u202e', '--json'],
		['route', 'http://ho\u009bst\u202e.example/'],
		['route', 'gopher://x\u009b\u202e/'],
		['route', 'https://host.example/', '--purpose', 'pu\u009b31m\u202esh'],
		['route', 'https://host.example/', '--config', '/nonexistent/\u009b31m\u202e.yaml'],
	]) {
		const result = await run(args);
		t.false(raw.test(result.stdout), `${args.join(' ')}: ${JSON.stringify(result.stdout)}`);
		t.false(raw.test(result.stderr), `${args.join(' ')}: ${JSON.stringify(result.stderr)}`);
	}
});
