/**
 * The evidence gathered after the workers stopped: what the proxy itself logged (Squid writes a CONNECT line when
 * the tunnel closes), whether the proxy password leaked anywhere (logs, command output, requests the remote
 * received, the generated configuration), and whether the loopback guard ever had to step in.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandResult } from './child-processes.js';
import { findSecrets } from './credentials.js';
import type { Devnet } from './devnet-types.js';
import type { ProxyTransaction } from './devnet-proxy.js';
import { GUARD_MARKER } from './guard-marker.js';
import type { ProxyEvidence } from './scenario-types.js';
import { waitFor } from './wait-for.js';

/** Reads the proxy's log and sorts it into tunnels, forwarded requests and requests that should not be there. */
export async function proxyEvidence(devnet: Devnet, expectTunnels: boolean): Promise<ProxyEvidence> {
	const remoteTarget = `localhost:${devnet.remote.port}`;
	const cdnPrefix = `http://localhost:${devnet.remote.cdnPort}/`;
	const isTunnel = (entry: ProxyTransaction): boolean =>
		entry.method === 'CONNECT' && entry.target === remoteTarget && entry.status === 200;
	const isForward = (entry: ProxyTransaction): boolean =>
		entry.method === 'GET' && entry.target.startsWith(cdnPrefix) && entry.status === 200;
	const entries = expectTunnels
		? await waitFor(async () => {
				const seen = await devnet.proxy.transactions();
				return seen.some(isTunnel) ? seen : undefined;
			}, 3000).catch(() => devnet.proxy.transactions())
		: await devnet.proxy.transactions();
	const tunnels = entries.filter(isTunnel);
	const forwarded = entries.filter(isForward);
	const users = [...new Set([...tunnels, ...forwarded].map((entry) => entry.user ?? '(none)'))];
	const forbidden = [`127.0.0.1:${devnet.remote.port}`, '10.0.0.1', '169.254.169.254'];
	const unexpected = entries
		.filter((entry) => forbidden.some((target) => entry.target.includes(target)))
		.map((entry) => `${entry.method} ${entry.target}`);
	return { kind: devnet.proxy.kind, tunnels: tunnels.length, forwarded: forwarded.length, users, unexpected };
}

async function filesIn(dir: string): Promise<string[]> {
	const names = await readdir(dir).catch(() => []);
	return names.map((name) => join(dir, name));
}

/** Every place a form of the proxy password was found: `<where>: <which form>`. */
export async function findLeaks(devnet: Devnet, outputs: readonly CommandResult[]): Promise<string[]> {
	const leaks: string[] = [];
	const check = (where: string, text: string): void => {
		for (const label of findSecrets(text, devnet.secretForms)) leaks.push(`${where}: ${label}`);
	};
	for (const file of [...(await filesIn(devnet.files.logs)), devnet.files.configFile]) {
		check(file, await readFile(file, 'utf8').catch(() => ''));
	}
	outputs.forEach((output, index) => check(`output of command #${index + 1}`, output.stdout + output.stderr));
	for (const request of devnet.remote.homeserver.requests) {
		const where = `request ${request.method} ${request.path} received by the remote`;
		if (request.headers['proxy-authorization'] !== undefined)
			leaks.push(`${where}: a Proxy-Authorization header`);
		check(where, JSON.stringify({ url: request.url, headers: request.headers, content: request.content }));
	}
	for (const request of devnet.remote.cdn.requests) {
		const where = `request ${request.method} ${request.url} received by the CDN`;
		if (request.headers['proxy-authorization'] !== undefined)
			leaks.push(`${where}: a Proxy-Authorization header`);
		check(where, JSON.stringify(request.headers));
	}
	return leaks;
}

/** The loopback guard's refusal lines in the worker logs and command output (none expected). */
export async function guardRefusals(devnet: Devnet, outputs: readonly CommandResult[]): Promise<string[]> {
	const texts = await Promise.all(
		devnet.workers.map((worker) => readFile(worker.logFile, 'utf8').catch(() => '')),
	);
	return [...texts, ...outputs.map((output) => output.stderr)]
		.flatMap((text) => text.split('\n'))
		.filter((line) => line.includes(GUARD_MARKER));
}
