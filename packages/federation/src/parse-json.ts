/**
 * `JSON.parse` for text from the network and from the outbox, safe from V8's key-cache bug (nodejs/node#63785,
 * open on Node 24 and 26): once any text with the key `"\\"` has been parsed in the process, a later one-character
 * key written as an escape (`"\n"`, `"\u0000"`, `"\u0042"`) reads back as `\`. Anyone in a room controls event
 * content keys, so on those Node versions a plain `JSON.parse` lets one event change the next one's content (and
 * break its hashes and signatures). See docs/architecture.md 4.
 *
 * Text without a backslash is handed to `JSON.parse` as it is (no escape, no bug). Otherwise every key that holds
 * an escape is swapped for a plain placeholder before parsing, and the real key, decoded as a lone string (which
 * the bug does not touch), is put back in its place. The result is what a correct `JSON.parse` returns: same
 * values, key order and duplicate-key rule (the last one wins, at the first one's place); `__proto__` stays an own
 * property. Invalid JSON throws the `SyntaxError` `JSON.parse` throws.
 */
export function parseJson(text: string): unknown {
	if (!text.includes('\\')) return JSON.parse(text);
	const escapedKeys = new Map<string, string>();
	const prefix = placeholderPrefix(text);
	let next = 0;
	const rewritten = text.replace(STRING_TOKEN, (token: string, colon: string | undefined) => {
		if (colon === undefined || !token.includes('\\')) return token;
		const placeholder = `${prefix}${next++}`;
		escapedKeys.set(placeholder, token.slice(0, token.lastIndexOf('"') + 1));
		return `"${placeholder}"${colon}`;
	});
	let value: unknown;
	try {
		value = JSON.parse(rewritten);
	} catch (error) {
		JSON.parse(text); // throws JSON.parse's own error, with positions in the caller's text
		throw error;
	}
	if (escapedKeys.size > 0) restoreKeys(value, prefix, escapedKeys);
	return value;
}

/**
 * Every JSON string token, with the `:` that makes it a key. Matched one after another from the start, tokens
 * stay aligned: outside strings, JSON has no `"`.
 */
const STRING_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"([ \t\n\r]*:)?/g;

/** A key prefix that occurs nowhere in `text`, so no real key can be mistaken for a placeholder. */
function placeholderPrefix(text: string): string {
	let prefix = '__parse_json_key_';
	while (text.includes(prefix)) prefix += '_';
	return prefix;
}

/** Puts the decoded keys back, object by object, keeping their order (no recursion: nesting can be deep). */
function restoreKeys(root: unknown, prefix: string, escapedKeys: ReadonlyMap<string, string>): void {
	const pending: unknown[] = [root];
	while (pending.length > 0) {
		const value = pending.pop();
		if (typeof value !== 'object' || value === null) continue;
		if (Array.isArray(value)) {
			for (const item of value) pending.push(item);
			continue;
		}
		const record = value as Record<string, unknown>;
		const keys = Object.keys(record);
		if (keys.some((key) => key.startsWith(prefix))) {
			const entries = keys.map((key) => [key, record[key]] as const);
			for (const key of keys) delete record[key];
			for (const [key, item] of entries) {
				const raw = key.startsWith(prefix) ? escapedKeys.get(key) : undefined;
				const name = raw === undefined ? key : (JSON.parse(raw) as string);
				// The last duplicate wins at the first one's place, as JSON.parse does; defineProperty keeps
				// `__proto__` an own property.
				Object.defineProperty(record, name, { value: item, writable: true, enumerable: true, configurable: true });
			}
		}
		for (const key of Object.keys(record)) pending.push(record[key]);
	}
}
