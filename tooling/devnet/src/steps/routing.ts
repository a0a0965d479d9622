/**
 * Steps 3 and 4: a `no_proxy` bypass (a loopback URL goes direct, the remote sees it arrive without the proxy) and
 * SSRF attempts refused by routing before any socket: a remote media `Location` at the cloud metadata address, and
 * `outbound-http get` of a private address. Each refusal is first confirmed as a pure route decision; a request
 * is only made once routing has said `blocked` (the loopback guard is the last line behind that).
 */
import { readFile } from 'node:fs/promises';
import { localGet } from '../local-get.js';
import type { StepContext, ScenarioResult, SsrfRecord } from '../scenario-types.js';
import { downloadPath } from './media.js';

interface RouteJson {
	readonly route: string;
	readonly reason: string;
	readonly mode: string | null;
}

async function routeViaCli(
	context: StepContext,
	url: string,
	purpose: string,
): Promise<RouteJson | undefined> {
	const args = ['route', url, '--purpose', purpose, '--config', context.devnet.files.configFile, '--json'];
	const result = await context.run('outbound-http', args);
	if (result.code !== 0) {
		context.fail(`outbound-http route ${url} failed (${result.code}): ${result.stderr.trim()}`);
		return undefined;
	}
	return JSON.parse(result.stdout) as RouteJson;
}

/** `outbound-http route` then `get` for a loopback URL in `no_proxy`: direct, and the remote answers. */
export async function runBypass(context: StepContext): Promise<ScenarioResult['bypass']> {
	const { devnet } = context;
	const path = '/_matrix/key/v2/server';
	const url = `https://127.0.0.1:${devnet.remote.port}${path}`;
	const decision = await routeViaCli(context, url, 'federation');
	if (decision === undefined) return undefined;
	const before = devnet.remote.homeserver.requests.length;
	const get = await context.run('outbound-http', [
		'get',
		url,
		'--purpose',
		'federation',
		'--config',
		devnet.files.configFile,
	]);
	const arrived = devnet.remote.homeserver.requests.slice(before).find((request) => request.path === path);
	let serverName: unknown;
	try {
		serverName = (JSON.parse(get.stdout) as { server_name?: unknown }).server_name;
	} catch {
		serverName = undefined;
	}
	const status = arrived?.status ?? 0;
	const ok =
		decision.route === 'direct' &&
		get.code === 0 &&
		status === 200 &&
		serverName === devnet.remote.serverName;
	if (!ok) {
		context.fail(
			`no_proxy bypass: route ${decision.route}, exit ${get.code}, remote status ${status}: ${get.stderr.trim()}`,
		);
	}
	context.emit({
		step: 'bypass',
		route: decision.route === 'direct' ? 'direct' : 'proxy',
		ok,
		ms: get.ms,
		text: `outbound-http get ${url}: ${decision.reason}; the remote answered ${status}`,
	});
	return { route: decision.route, reason: decision.reason, status, ms: get.ms };
}

interface LogLine {
	readonly msg?: string;
	readonly media?: string;
	readonly code?: string;
	readonly reason?: string;
}

async function mediaFailure(logFile: string, mediaId: string): Promise<LogLine | undefined> {
	const text = await readFile(logFile, 'utf8').catch(() => '');
	for (const line of text.split('\n').reverse()) {
		try {
			const entry = JSON.parse(line) as LogLine;
			if (entry.msg === 'remote media download failed' && String(entry.media).includes(mediaId)) return entry;
		} catch {
			// not a JSON log line
		}
	}
	return undefined;
}

/** The "address ... is blocked" part of a logged reason. */
function blockedPart(reason: string | undefined): string {
	return /address \S+ is blocked/.exec(reason ?? '')?.[0] ?? 'no refusal logged';
}

/** The remote's media `Location` points at 169.254.169.254: routing refuses it, the client gets a 502. */
async function ssrfViaMedia(context: StepContext): Promise<SsrfRecord> {
	const { devnet } = context;
	const { mediaId, location } = devnet.remote.ssrfMedia;
	const decision = context.router.route(location, 'media_redirect');
	const answer = await localGet(devnet.ports.mediaFetcher, downloadPath(devnet.remote.serverName, mediaId));
	const logFile = devnet.workers.find((worker) => worker.name === 'media-fetcher')?.logFile ?? '';
	const logged = await mediaFailure(logFile, mediaId);
	const refused = logged?.reason !== undefined && /is blocked/.test(logged.reason);
	const ok = decision.route === 'blocked' && answer.status === 502 && refused;
	if (!ok) {
		context.fail(
			`SSRF via media Location: route ${decision.route}, HTTP ${answer.status}, log: ${logged?.reason ?? 'no failure logged'}`,
		);
	}
	context.emit({
		step: 'ssrf',
		route: decision.route === 'blocked' ? 'blocked' : 'proxy',
		ok,
		ms: answer.ms,
		text: `media ${mediaId}: Location ${location}: ${decision.reason}; client got HTTP ${answer.status}, media-fetcher logged ${logged?.code ?? '?'} (${blockedPart(logged?.reason)})`,
	});
	return {
		target: location,
		how: 'media Location',
		route: decision.route,
		code: logged?.code,
		ms: answer.ms,
	};
}

/** `outbound-http get http://10.0.0.1/...`: `route` says blocked, then `get` fails with ERR_IP_BLOCKED. */
async function ssrfViaCli(context: StepContext): Promise<SsrfRecord> {
	const url = 'http://10.0.0.1/admin';
	const decision = await routeViaCli(context, url, 'push');
	if (decision?.route !== 'blocked') {
		context.fail(
			`SSRF ${url}: route is ${decision?.route ?? 'unknown'}, not blocked; the request was not attempted`,
		);
		return {
			target: url,
			how: 'outbound-http get',
			route: decision?.route ?? 'unknown',
			code: undefined,
			ms: 0,
		};
	}
	const get = await context.run('outbound-http', [
		'get',
		url,
		'--purpose',
		'push',
		'--config',
		context.devnet.files.configFile,
	]);
	const code = /^(ERR_[A-Z_]+)/m.exec(get.stderr)?.[1];
	const ok = get.code !== 0 && code === 'ERR_IP_BLOCKED';
	if (!ok)
		context.fail(`SSRF ${url}: outbound-http get exited ${get.code} with ${code ?? get.stderr.trim()}`);
	context.emit({
		step: 'ssrf',
		route: 'blocked',
		ok,
		ms: get.ms,
		text: `outbound-http get ${url} (purpose push): ${code ?? '?'} — ${decision.reason}`,
	});
	return { target: url, how: 'outbound-http get', route: decision.route, code, ms: get.ms };
}

/** Both SSRF attempts. */
export async function runSsrf(context: StepContext): Promise<SsrfRecord[]> {
	return [await ssrfViaMedia(context), await ssrfViaCli(context)];
}
