/**
 * Text from the network or from input files (event ids, media ids, file names, server names, remote error
 * messages) made safe to print on a terminal or in a line-oriented log: every character that could move the cursor,
 * change colours, start a new line, reorder the text (bidi controls) or hide itself becomes a visible `\uXXXX`
 * escape. One helper for every CLI printer of the workspace, so they all escape the same way.
 */

/** C0 and C1 controls, DEL, format characters (bidi, zero-width), line and paragraph separators, the backslash. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\\]/gu;

function escapeChar(char: string): string {
	if (char === '\\') return '\\\\';
	const code = char.codePointAt(0) ?? 0;
	return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control, format and separator character written as `\uXXXX` (and `\` as `\\`, so an escape
 * in the input cannot pass for one of ours). Printable text, Unicode included, is unchanged; so is the result of
 * escaping an already safe string.
 */
export function terminalSafe(text: string): string {
	UNSAFE.lastIndex = 0;
	return UNSAFE.test(text) ? text.replace(UNSAFE, escapeChar) : text;
}

/** {@link terminalSafe} applied to every string inside a JSON-like value (keys too), for printing objects. */
export function terminalSafeDeep(value: unknown): unknown {
	if (typeof value === 'string') return terminalSafe(value);
	if (Array.isArray(value)) return value.map((item) => terminalSafeDeep(item));
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, item]) => [terminalSafe(key), terminalSafeDeep(item)]),
		);
	}
	return value;
}

/** The characters JSON.stringify leaves raw that a terminal may act on: C1 controls, DEL, format characters, separators. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * JSON text (from `JSON.stringify`, or a JSON log line) with the characters JSON leaves raw but a terminal may act on
 * (C1 controls such as CSI U+009B, DEL, bidi and zero-width characters, line separators) written as `\uXXXX`
 * escapes. The result is the same JSON value, safe to print; C0 controls are already escaped by JSON itself.
 */
export function terminalSafeJsonText(json: string): string {
	UNSAFE_IN_JSON.lastIndex = 0;
	if (!UNSAFE_IN_JSON.test(json)) return json;
	return json.replace(UNSAFE_IN_JSON, (char) => {
		const code = char.codePointAt(0) ?? 0;
		// Format characters outside the BMP (tags, U+E0001...) become their UTF-16 surrogate pair escapes.
		return code > 0xffff
			? String.fromCodePoint(code)
					.split('')
					.map((unit) => `\\u${(unit.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
					.join('')
			: `\\u${code.toString(16).padStart(4, '0')}`;
	});
}

/** `JSON.stringify(value, null, space)` made safe to print with {@link terminalSafeJsonText}. */
export function terminalSafeJson(value: unknown, space?: number): string {
	return terminalSafeJsonText(JSON.stringify(value, null, space) ?? 'null');
}
