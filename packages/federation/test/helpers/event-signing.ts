import { createHash } from 'node:crypto';
import { canonicalJson, encodeUnpaddedBase64, signJson } from '../../src/index.js';
import type { JsonObject, SigningKey } from '../../src/index.js';

/**
 * Test-only model of the spec's "Signing Events" for room version 1, enough for the appendix vectors: the
 * content hash covers the event without `signatures`, `unsigned` and `hashes`; the signature covers the
 * redacted event (v1 redaction: a fixed list of top-level keys, content emptied for these event types).
 */
const KEPT_KEYS = [
	'event_id',
	'type',
	'room_id',
	'sender',
	'state_key',
	'content',
	'hashes',
	'signatures',
	'depth',
	'prev_events',
	'prev_state',
	'auth_events',
	'origin',
	'origin_server_ts',
	'membership',
];

export function signEventV1(event: JsonObject, serverName: string, key: SigningKey): JsonObject {
	const { signatures: _s, unsigned: _u, hashes: _h, ...hashed } = event;
	const sha256 = encodeUnpaddedBase64(createHash('sha256').update(canonicalJson(hashed)).digest());
	const withHash: JsonObject = { ...event, hashes: { sha256 } };
	const redacted = Object.fromEntries(Object.entries(withHash).filter(([name]) => KEPT_KEYS.includes(name)));
	redacted['content'] = {};
	const signed = signJson(redacted, serverName, key);
	return { ...withHash, signatures: signed['signatures'] };
}
