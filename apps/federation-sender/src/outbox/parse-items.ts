/**
 * Validation of what is enqueued, so that nothing stored can poison a transaction later: PDUs and EDUs must
 * be JSON objects the federation signer accepts (canonical JSON: integers only, within ±(2^53−1)), within
 * size limits; EDUs are reduced to `{edu_type, content}` as they travel. Items are stored as canonical JSON,
 * which is what the federation client sends, so a stored transaction body is the exact bytes on the wire.
 */
import { canonicalJson, CanonicalJsonError, parseJson } from '@homeserver/federation';
import { FederationSenderError } from '../errors.js';
import type { NewItem } from './types.js';

/** The spec's limit on a PDU (65 536 bytes). */
export const MAX_PDU_BYTES = 65_536;
/** Our limit on one EDU, so that 100 of them still make a sane request. */
export const MAX_EDU_BYTES = 65_536;
/** Deepest nesting accepted. */
const MAX_DEPTH = 64;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assertCanonical(value: unknown, path: string, depth: number): void {
	if (depth > MAX_DEPTH) {
		throw new FederationSenderError('ERR_INVALID_ITEM', `${path}: nested deeper than ${MAX_DEPTH} levels`);
	}
	if (typeof value === 'number') {
		if (!Number.isSafeInteger(value)) {
			throw new FederationSenderError(
				'ERR_INVALID_ITEM',
				`${path}: ${value} is not an integer in ±(2^53−1), which canonical JSON requires`,
			);
		}
	} else if (Array.isArray(value)) {
		value.forEach((entry, index) => assertCanonical(entry, `${path}[${index}]`, depth + 1));
	} else if (isObject(value)) {
		for (const [key, entry] of Object.entries(value)) assertCanonical(entry, `${path}.${key}`, depth + 1);
	}
}

function serialise(value: JsonObject, what: string, limit: number): string {
	assertCanonical(value, what, 0);
	let json: string;
	try {
		json = canonicalJson(value);
	} catch (error) {
		if (!(error instanceof CanonicalJsonError)) throw error;
		throw new FederationSenderError('ERR_INVALID_ITEM', `${what}: ${error.message}`, { cause: error });
	}
	const bytes = Buffer.byteLength(json);
	if (bytes > limit) {
		throw new FederationSenderError('ERR_ITEM_TOO_LARGE', `${what} is ${bytes} bytes, more than ${limit}`);
	}
	return json;
}

/** Validates one PDU (an object with string `type` and `room_id`) and serialises it. */
export function parsePdu(value: unknown, what = 'pdu'): NewItem {
	if (!isObject(value)) throw new FederationSenderError('ERR_INVALID_ITEM', `${what} is not a JSON object`);
	for (const key of ['type', 'room_id']) {
		if (typeof value[key] !== 'string') {
			throw new FederationSenderError('ERR_INVALID_ITEM', `${what} has no string "${key}"`);
		}
	}
	const eventId = value['event_id'];
	if (eventId !== undefined && typeof eventId !== 'string') {
		throw new FederationSenderError('ERR_INVALID_ITEM', `${what}: "event_id" is not a string`);
	}
	return { kind: 'pdu', json: serialise(value, what, MAX_PDU_BYTES), eventId: eventId ?? null };
}

/** Validates one EDU (`{edu_type: string, content: object}`) and keeps only those two keys. */
export function parseEdu(value: unknown, what = 'edu'): NewItem {
	if (!isObject(value)) throw new FederationSenderError('ERR_INVALID_ITEM', `${what} is not a JSON object`);
	const { edu_type: eduType, content } = value;
	if (typeof eduType !== 'string' || eduType.length === 0) {
		throw new FederationSenderError('ERR_INVALID_ITEM', `${what} has no string "edu_type"`);
	}
	if (!isObject(content))
		throw new FederationSenderError('ERR_INVALID_ITEM', `${what}: "content" is not an object`);
	return { kind: 'edu', json: serialise({ edu_type: eduType, content }, what, MAX_EDU_BYTES), eventId: null };
}

/**
 * Parses JSON text holding one item (an object) or several (an array of objects), validating each;
 * `source` names the input in messages (a file name, or `stdin`).
 */
export function parseItemsText(kind: 'pdu' | 'edu', text: string, source: string): NewItem[] {
	return parseItemsValue(kind, parseJsonText(text, source), source);
}

/** JSON text to a value, or `ERR_INVALID_JSON` naming the source. */
export function parseJsonText(text: string, source: string): unknown {
	try {
		return parseJson(text);
	} catch (error) {
		throw new FederationSenderError('ERR_INVALID_JSON', `${source}: ${(error as Error).message}`, {
			cause: error,
		});
	}
}

/** Validates one item (an object) or several (an array of objects) already parsed from JSON. */
export function parseItemsValue(kind: 'pdu' | 'edu', value: unknown, source: string): NewItem[] {
	const parse = kind === 'pdu' ? parsePdu : parseEdu;
	if (Array.isArray(value)) {
		if (value.length === 0) throw new FederationSenderError('ERR_INVALID_ITEM', `${source}: empty array`);
		return value.map((entry, index) => parse(entry, `${source}[${index}]`));
	}
	return [parse(value, source)];
}
