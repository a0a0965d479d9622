/** Test PDUs and EDUs. */
import { parseEdu, parsePdu } from '../../src/outbox/parse-items.js';
import type { NewItem } from '../../src/outbox/types.js';

export function pdu(n: number, room = '!room:origin.test'): NewItem {
	return parsePdu({
		type: 'm.room.message',
		room_id: room,
		event_id: `$e${n}`,
		content: { body: `message ${n}` },
	});
}

export function edu(n: number): NewItem {
	return parseEdu({ edu_type: 'm.typing', content: { room_id: '!room:origin.test', n } });
}

export function pdus(from: number, count: number): NewItem[] {
	return Array.from({ length: count }, (_, i) => pdu(from + i));
}

export function edus(from: number, count: number): NewItem[] {
	return Array.from({ length: count }, (_, i) => edu(from + i));
}
