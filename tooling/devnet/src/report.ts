/**
 * How the devnet's run reads on a terminal: one compact line per event (mark, route, what, timing), headings per
 * phase, and a summary. Colours only when asked for (a TTY); nothing here ever sees the proxy password.
 */
import { relative } from 'node:path';
import type { Devnet } from './devnet-types.js';
import type { EventRoute, ScenarioEvent, ScenarioResult } from './scenario-types.js';

/** Colour functions (identity when colours are off). */
export interface Palette {
	readonly green: (text: string) => string;
	readonly red: (text: string) => string;
	readonly yellow: (text: string) => string;
	readonly cyan: (text: string) => string;
	readonly dim: (text: string) => string;
	readonly bold: (text: string) => string;
}

const sgr =
	(on: number, off: number) =>
	(text: string): string =>
		`\u001b[${on}m${text}\u001b[${off}m`;

/** ANSI colours when `enabled`, plain text otherwise. */
export function palette(enabled: boolean): Palette {
	const plain = (text: string): string => text;
	return enabled
		? {
				green: sgr(32, 39),
				red: sgr(31, 39),
				yellow: sgr(33, 39),
				cyan: sgr(36, 39),
				dim: sgr(2, 22),
				bold: sgr(1, 22),
			}
		: { green: plain, red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
}

/** `812 ms` or `6.2 s`. */
export function duration(ms: number): string {
	return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A path relative to the working directory when that is shorter. */
export function shortPath(path: string, cwd: string): string {
	const rel = relative(cwd, path);
	return rel !== '' && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

function routeLabel(route: EventRoute, colours: Palette): string {
	const padded = route.padEnd(7);
	if (route === 'blocked') return colours.yellow(padded);
	if (route === 'direct') return colours.cyan(padded);
	return route === 'local' ? colours.dim(padded) : padded;
}

/** One event line: `  ✓ proxy   txn 1/5 ...   812 ms`. */
export function formatEvent(event: ScenarioEvent, colours: Palette): string {
	const mark = event.ok ? colours.green('✓') : colours.red('✗');
	return `  ${mark} ${routeLabel(event.route, colours)} ${event.text}  ${colours.dim(duration(event.ms))}`;
}

/** The heading of a phase. */
export function formatPhase(phase: string, colours: Palette): string {
	return colours.bold(phase);
}

/** What was started, before the scenario runs. */
export function formatSetup(devnet: Devnet, startMs: number, cwd: string, colours: Palette): string[] {
	const proxy =
		devnet.proxy.kind === 'squid'
			? 'Squid (found /usr/sbin/squid)'
			: 'in-process proxy (Squid not installed)';
	const env = Object.entries(devnet.environmentRedacted)
		.map(([key, value]) => `${key}=${key === 'NODE_EXTRA_CA_CERTS' ? shortPath(value, cwd) : value}`)
		.join(' ');
	const workers = devnet.workers.map((worker) => `${worker.name} (pid ${worker.pid})`).join(', ');
	const label = (text: string): string => colours.dim(text.padEnd(9));
	return [
		colours.bold('devnet: a local federation on loopback'),
		`  ${label('proxy')}${proxy}: TLS + Basic auth, ${devnet.proxyUrlRedacted}`,
		`  ${label('remote')}${devnet.remote.serverName} (testkit homeserver, certificate from the run's CA), CDN http://localhost:${devnet.remote.cdnPort}`,
		`  ${label('config')}${shortPath(devnet.files.configFile, cwd)} (server_name ${devnet.serverName}, key ${devnet.signingKeyId})`,
		`  ${label('env')}${env}`,
		`  ${label('workers')}${workers}; media on http://127.0.0.1:${devnet.ports.mediaFetcher}  ${colours.dim(`everything up in ${duration(startMs)}`)}`,
	];
}

function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The proxy evidence, the credential check and the summary. */
export function formatSummary(
	result: ScenarioResult,
	devnet: Devnet,
	totalMs: number,
	cwd: string,
	colours: Palette,
): string[] {
	const lines: string[] = [];
	const proxy = result.proxy;
	if (proxy !== undefined) {
		const source = proxy.kind === 'squid' ? "Squid's access log" : "the in-process proxy's log";
		lines.push(
			formatPhase(`proxy evidence (${source})`, colours),
			`  ${proxy.tunnels} CONNECT localhost:${devnet.remote.port} answered 200, ${proxy.forwarded} GET http://localhost:${devnet.remote.cdnPort}/… forwarded; user ${proxy.users.join(', ') || '(none)'}`,
			`  ${proxy.unexpected.length === 0 ? 'nothing' : proxy.unexpected.join(', ')} for the bypassed URL or the SSRF targets`,
		);
	}
	lines.push(
		formatPhase('credentials', colours),
		result.leaks.length === 0
			? '  the proxy password appears in no log, command output, configuration or request the remote received'
			: colours.red(`  LEAKED: ${result.leaks.join('; ')}`),
		result.guardRefusals.length === 0
			? '  no connection had to be stopped by the loopback guard: routing refused the SSRF attempts first'
			: colours.red(`  the loopback guard stopped: ${result.guardRefusals.join('; ')}`),
	);
	const delivered = result.transactions.filter((txn) => txn.signature === 'valid');
	const times = result.transactions.map((txn) => txn.totalMs);
	const media = result.media.filter((item) => item.sha256Matches);
	const blocked = result.ssrf.filter((item) => item.route === 'blocked');
	lines.push(
		formatPhase('summary', colours),
		`  ${delivered.length} transaction(s) delivered through the proxy, signature verified, each PDU applied once` +
			(times.length > 0 ? ` (median ${duration(median(times))}, max ${duration(Math.max(...times))})` : '') +
			(result.duplicateDeliveries > 0
				? `; ${result.duplicateDeliveries} retry(ies) answered from the remote's cache`
				: ''),
		`  ${media.length}/${result.media.length} media identical (sha256) and then served locally; ` +
			`bypass ${result.bypass?.route ?? 'not run'}; ${blocked.length}/${result.ssrf.length} SSRF attempts blocked`,
		`  data ${shortPath(devnet.files.root, cwd)}/  logs ${shortPath(devnet.files.logs, cwd)}/  (kept until the next start)`,
	);
	if (result.ok) {
		lines.push(colours.green(`  passed in ${duration(totalMs)}`));
	} else {
		lines.push(colours.red(`  FAILED (${result.failures.length} check(s)) after ${duration(totalMs)}:`));
		for (const failure of result.failures) lines.push(colours.red(`    - ${failure}`));
	}
	return lines;
}
