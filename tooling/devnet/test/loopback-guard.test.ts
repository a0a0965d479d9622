import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import { devnetPackageDir } from '../src/package-paths.js';

const guard = pathToFileURL(join(devnetPackageDir, 'dist', 'loopback-guard.js')).href;
const tripwire = pathToFileURL(join(devnetPackageDir, 'test', 'fixtures', 'tripwire.mjs')).href;

/** Runs `source` (an ES module) in a child with the tripwire below the guard; returns its output. */
function runGuarded(source: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			['--import', tripwire, '--import', guard, '--input-type=module', '--eval', source],
			{ env: {}, stdio: ['ignore', 'pipe', 'pipe'] },
		);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

/** A child-side helper: tries a connection and prints `ok` or the error code. */
const attempt = `
import net from 'node:net';
export function attempt(...args) {
	return new Promise((resolve) => {
		const socket = net.connect(...args);
		socket.once('connect', () => { socket.destroy(); resolve('ok'); });
		socket.once('error', (error) => resolve(error.code ?? error.message));
	});
}`;

function script(body: string): string {
	return `${attempt.replace('export function', 'function')}\n${body}`;
}

test('a connection to a non-loopback IP literal is refused before any socket, and said on stderr', async (t) => {
	const result = await runGuarded(
		script(`console.log(await attempt({ host: '10.0.0.1', port: 80 }));
console.log(await attempt({ host: '169.254.169.254', port: 80 }));
console.log(await attempt({ host: '::ffff:10.0.0.1', port: 80 }));`),
	);
	t.deepEqual(result.stdout.trim().split('\n'), Array(3).fill('ERR_DEVNET_NON_LOOPBACK'));
	t.regex(result.stderr, /devnet-guard: refused a connection to 10\.0\.0\.1:80/);
	t.notRegex(result.stderr, /TRIPWIRE/);
});

test('a name that resolves to a non-loopback address is refused (through the socket lookup)', async (t) => {
	const result = await runGuarded(
		script(`const lookup = (name, options, callback) => options.all
	? callback(null, [{ address: '192.0.2.7', family: 4 }])
	: callback(null, '192.0.2.7', 4);
console.log(await attempt({ host: 'internal.example', port: 443, lookup }));`),
	);
	t.is(result.stdout.trim(), 'ERR_DEVNET_NON_LOOPBACK');
	t.regex(result.stderr, /internal\.example \(192\.0\.2\.7\)/);
	t.notRegex(result.stderr, /TRIPWIRE/);
});

test('loopback connections, by address and as localhost, go through untouched', async (t) => {
	const server = createServer((socket) => socket.end());
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.teardown(() => server.close());
	const { port } = server.address() as { port: number };
	const result = await runGuarded(
		script(`console.log(await attempt({ host: '127.0.0.1', port: ${port} }));
console.log(await attempt({ host: 'localhost', port: ${port}, family: 4 }));
console.log(await attempt(${port}, '127.0.0.1'));`),
	);
	t.deepEqual(result.stdout.trim().split('\n'), ['ok', 'ok', 'ok']);
	t.notRegex(result.stderr, /devnet-guard|TRIPWIRE/);
});
