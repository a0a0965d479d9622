/**
 * What the fan-out scenario sends: destination server names (`f<i>.bench.test:<port>`, one name each,
 * mapped to the loopback origin by Squid's hosts file), a realistic PDU of about 1 KiB, and transaction
 * bodies as Synapse builds them.
 */

/** The suffix of every destination name (the origin's certificate covers `*.bench.test`). */
export const FEDERATION_SUFFIX = 'bench.test';

/** `count` destination server names on `port`. */
export function destinations(count: number, port: number): string[] {
	return Array.from({ length: count }, (_, i) => `f${i}.${FEDERATION_SUFFIX}:${port}`);
}

/** A PDU shaped like a Synapse room message, about 1 KiB of JSON. */
export function samplePdu(origin: string, seq: number): Record<string, unknown> {
	return {
		auth_events: ['$auth1:example.org', '$auth2:example.org', '$auth3:example.org'],
		content: { body: `message ${seq} `.padEnd(400, 'x'), msgtype: 'm.text' },
		depth: 1000 + seq,
		hashes: { sha256: 'Lo6y7O/ru94DWNE9fABTLPr8o/Twt2O51xdpo55Z6iY' },
		origin_server_ts: 1_700_000_000_000 + seq,
		prev_events: [`$prev${seq}:${origin}`],
		room_id: '!benchroom:example.org',
		sender: `@bench:${origin}`,
		signatures: {
			[origin]: {
				'ed25519:a_bench':
					'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw',
			},
		},
		type: 'm.room.message',
		unsigned: { age_ts: 1_700_000_000_000 + seq },
	};
}

/** A transaction body: `{origin, origin_server_ts, pdus, edus}`. */
export function transactionBody(origin: string, pdus: readonly unknown[]): Record<string, unknown> {
	return { edus: [], origin, origin_server_ts: Date.now(), pdus };
}
