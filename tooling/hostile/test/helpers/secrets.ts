/**
 * The one proxy credential of the whole suite, and an audit that collects everything a credential must never reach
 * (log lines, error messages, stacks and JSON, metric expositions, requests destinations received) and finds every
 * spelling of the password in it: raw, percent-encoded, and inside base64 at any alignment.
 */
import { Buffer } from 'node:buffer';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { pino } from 'pino';
import type { Logger } from 'pino';

/** The proxy user of every test. Not secret (it may appear in redacted URLs and Squid's log). */
export const PROXY_USER = 'hostile-user';
/** The distinctive proxy password of every test: characters that need escaping in URLs, on purpose. */
export const PROXY_PASSWORD = 'Pw-h0stile-7Qz!x@9:/%';

/** `scheme://user:password@host:port` for a proxy origin such as `http://127.0.0.1:3128`. */
export function withCredentials(origin: string): string {
	const url = new URL(origin);
	return `${url.protocol}//${encodeURIComponent(PROXY_USER)}:${encodeURIComponent(PROXY_PASSWORD)}@${url.host}`;
}

/**
 * The base64 characters that encode only bytes of `text` when it sits at byte offset 0, 1 or 2 of a larger blob:
 * character i covers bits [6i, 6i+6), so it is fixed by `text` alone when those bits all fall inside it.
 */
function base64Alignments(text: string): string[] {
	const bytes = Buffer.from(text, 'utf8');
	return [0, 1, 2].map((shift) => {
		const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
		const start = Math.ceil((8 * shift) / 6);
		const end = Math.floor((8 * (shift + bytes.length)) / 6);
		return encoded.slice(start, end);
	});
}

/** Every spelling of the password to search for (longest first), each at least 12 characters long. */
export const SECRET_FORMS: readonly string[] = [
	PROXY_PASSWORD,
	encodeURIComponent(PROXY_PASSWORD),
	Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64'),
	...base64Alignments(PROXY_PASSWORD),
	Buffer.from(PROXY_PASSWORD).toString('base64url'),
].filter((form, index, all) => form.length >= 12 && all.indexOf(form) === index);

/** Where a secret was found. */
export interface Leak {
	readonly source: string;
	readonly form: string;
	readonly excerpt: string;
}

/** Collects texts that must never hold the password and reports where it appears. */
export class LeakAudit {
	readonly #texts: { source: string; text: string }[] = [];
	readonly #logLines: string[] = [];
	/** A pino logger at trace level whose every line is audited (the destination-stream capture). */
	readonly logger: Logger;

	constructor() {
		const lines = this.#logLines;
		const sink = new Writable({
			write(chunk: Buffer, _encoding, callback) {
				lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
				callback();
			},
		});
		this.logger = pino({ level: 'trace' }, sink);
	}

	/** Log lines captured so far. */
	get logLines(): readonly string[] {
		return this.#logLines;
	}

	/** Number of texts audited so far (log lines included). */
	get size(): number {
		return this.#texts.length + this.#logLines.length;
	}

	/** Audits a piece of text (a child's stderr, a CLI output, a file). */
	addText(source: string, text: string): void {
		this.#texts.push({ source, text });
	}

	/** Audits an error as programs show it: message, stack, JSON, `util.inspect` (causes included), a pino line. */
	addError(source: string, error: unknown): void {
		if (error instanceof Error) {
			this.addText(`${source} message`, error.message);
			this.addText(`${source} stack`, error.stack ?? '');
		}
		this.addText(`${source} json`, safeJson(error));
		this.addText(`${source} inspect`, inspect(error, { depth: 6 }));
		this.logger.error({ err: error, source }, 'audited error');
	}

	/** Audits what destination servers received (method, target, every header). */
	addRequests(source: string, requests: readonly unknown[]): void {
		this.addText(source, safeJson(requests));
	}

	/** Every place a spelling of the password was found. */
	leaks(): Leak[] {
		const found: Leak[] = [];
		const all = [...this.#texts, ...this.#logLines.map((text) => ({ source: 'log line', text }))];
		for (const { source, text } of all) {
			for (const form of SECRET_FORMS) {
				const at = text.indexOf(form);
				if (at !== -1) found.push({ source, form, excerpt: text.slice(Math.max(0, at - 60), at + 60) });
			}
		}
		return found;
	}
}

/** JSON that survives bigints and cycles (error objects from HTTP stacks have both). */
export function safeJson(value: unknown): string {
	const seen = new WeakSet();
	try {
		return (
			JSON.stringify(value, (_key, item: unknown) => {
				if (typeof item === 'bigint') return item.toString();
				if (typeof item === 'object' && item !== null) {
					if (seen.has(item)) return '[cycle]';
					seen.add(item);
					if (item instanceof Error)
						return { ...item, name: item.name, message: item.message, stack: item.stack, cause: item.cause };
				}
				return item;
			}) ?? String(value)
		);
	} catch (error) {
		return `[unserialisable: ${String(error)}]`;
	}
}
