/**
 * Shape validation of the YAML document with zod, turned into configuration problems (key path, redacted value,
 * reason), and the warnings about keys that neither we nor Synapse know.
 */
import { isIPv4 } from 'node:net';
import type { Problems } from './errors.js';
import { showValue } from './errors.js';
import { normaliseHostName } from './host-name.js';
import { parseIpExact } from './ip/ip-address.js';
import { isSecretKey } from './redact.js';
import { OWN_KEYS, documentSchema } from './schema.js';
import type { HomeserverYaml } from './schema.js';
import { SYNAPSE_KEYS } from './synapse-keys.js';

/** Characters a Matrix server name never contains: controls, format characters (bidi), spaces, URL delimiters. */
const FORBIDDEN_IN_SERVER_NAME = /[\p{Cc}\p{Cf}\p{Z}/?#%@\\]/u;

/** Our sections and the keys each of their mappings may hold, for the unknown-key warning. */
const SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
	federation_sender: [
		'database',
		'metrics',
		'send_timeout_ms',
		'well_known_timeout_ms',
		'srv_timeout_ms',
		'max_concurrent_sends',
		'max_concurrent_resolutions',
		'lease_ttl',
		'poll_interval',
		'retention',
		'catch_up_after',
		'ephemeral_edus',
	],
	'federation_sender.ephemeral_edus': ['types', 'max_age'],
	media_fetcher: [
		'listen',
		'database',
		'metrics',
		'max_concurrent_downloads',
		'max_downloads_per_server',
		'download_queue_size',
		'download_queue_timeout_ms',
		'download_timeout_ms',
		'min_download_rate',
		'download_rate_window_ms',
		'slow_remote_backoff_ms',
	],
	'federation_sender.metrics': ['bind_address', 'port'],
	'media_fetcher.metrics': ['bind_address', 'port'],
	'media_fetcher.listen': ['bind_address', 'port'],
};

/**
 * Validates the document against the schema. Every issue becomes a problem; keys with issues are then
 * dropped so the remaining keys can still be checked (and their problems reported in the same error).
 */
export function validateDocument(raw: Record<string, unknown>, problems: Problems): HomeserverYaml {
	const first = documentSchema.safeParse(raw);
	if (first.success) {
		return first.data;
	}
	const bad = new Set<PropertyKey>();
	for (const issue of first.error.issues) {
		const value = valueAt(raw, issue.path);
		const reason = issue.code === 'invalid_type' && value === undefined ? 'is required' : issue.message;
		problems.add(formatPath(issue.path), showAt(issue.path, value), reason);
		bad.add(issue.path[0] ?? '');
	}
	const rest = Object.fromEntries(Object.entries(raw).filter(([key]) => !bad.has(key)));
	const second = documentSchema.safeParse(rest);
	return second.success ? second.data : {};
}

/** Warns about every key that is neither ours nor Synapse's (top level) nor ours (inside our sections). */
export function warnUnknownKeys(raw: Record<string, unknown>, warnings: string[]): void {
	for (const key of Object.keys(raw)) {
		if (!OWN_KEYS.has(key) && !SYNAPSE_KEYS.has(key)) {
			warnings.push(`unknown key "${key}" ignored (neither this program nor Synapse knows it; a typo?)`);
		}
	}
	for (const [path, allowed] of Object.entries(SECTION_KEYS)) {
		const section = valueAt(raw, path.split('.'));
		if (section === null || typeof section !== 'object' || Array.isArray(section)) {
			continue;
		}
		for (const key of Object.keys(section)) {
			if (!allowed.includes(key)) {
				warnings.push(`unknown key "${path}.${key}" ignored (known keys there: ${allowed.join(', ')})`);
			}
		}
	}
}

/**
 * Checks `server_name` (a host name, an IPv4 address or a bracketed IPv6 address, optionally with `:port`) and
 * returns it as written.
 */
export function checkServerName(name: string, problems: Problems): string {
	// URL parsers (and domainToASCII) silently drop tabs and newlines and stop at `/`, `?`, `#`: such a name would
	// pass the host-name check below and then break every X-Matrix header and URL it goes into.
	const bad = FORBIDDEN_IN_SERVER_NAME.exec(name);
	if (bad !== null) {
		const char = `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
		problems.add(
			'server_name',
			showValue(name),
			`not a valid server name: it contains ${char} (control characters, spaces, "/", "?", "#", "%", "@" and "\\" are not allowed)`,
		);
		return name;
	}
	const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(name);
	const host = match?.[1] ?? '';
	const port = match?.[2] === undefined ? 1 : Number(match[2]);
	const validHost = host.startsWith('[')
		? parseIpExact(host)?.family === 6
		: isIPv4(host) || 'name' in normaliseHostName(host);
	if (match === null || !validHost || port < 1 || port > 65_535) {
		problems.add(
			'server_name',
			showValue(name),
			'not a valid server name (host name or IP address, optional :port)',
		);
	}
	return name;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
	let current = root;
	for (const segment of path) {
		if (current === null || typeof current !== 'object') {
			return undefined;
		}
		current = (current as Record<PropertyKey, unknown>)[segment];
	}
	return current;
}

/** `federation_sender.database.args.port`, `no_proxy_hosts[2]`. */
function formatPath(path: readonly PropertyKey[]): string {
	return path
		.map((segment, index) =>
			typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
		)
		.join('');
}

/** The value for a message, with passwords redacted: proxy URLs, secret-looking keys and their contents. */
function showAt(path: readonly PropertyKey[], value: unknown): string {
	if (value === undefined) {
		return '';
	}
	if (path.some((segment) => typeof segment === 'string' && isSecretKey(segment))) {
		return '***';
	}
	return showValue(value);
}
