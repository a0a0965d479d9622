import test from 'ava';
import { normaliseDestination } from '../src/outbox/destination.js';
import { parseEdu, parseItemsText, parsePdu } from '../src/outbox/parse-items.js';

const code = (fn: () => unknown): string | undefined => {
	try {
		fn();
	} catch (error) {
		return (error as { code?: string }).code;
	}
	return undefined;
};

test('a PDU is stored as canonical JSON and keeps its event_id for per-PDU results', (t) => {
	const item = parsePdu({ type: 'm.room.message', room_id: '!r:x', event_id: '$a', content: { n: 1 } });
	t.deepEqual(item, {
		kind: 'pdu',
		eventId: '$a',
		json: '{"content":{"n":1},"event_id":"$a","room_id":"!r:x","type":"m.room.message"}',
	});
	t.is(parsePdu({ type: 't', room_id: '!r:x' }).eventId, null);
});

test('PDUs the signer would refuse later are refused at enqueue: floats, unsafe integers, missing type or room', (t) => {
	t.is(
		code(() => parsePdu({ type: 't', room_id: '!r', content: { f: 1.5 } })),
		'ERR_INVALID_ITEM',
	);
	t.is(
		code(() => parsePdu({ type: 't', room_id: '!r', depth: 2 ** 53 })),
		'ERR_INVALID_ITEM',
	);
	t.is(
		code(() => parsePdu({ room_id: '!r' })),
		'ERR_INVALID_ITEM',
	);
	t.is(
		code(() => parsePdu({ type: 't' })),
		'ERR_INVALID_ITEM',
	);
	t.is(
		code(() => parsePdu([])),
		'ERR_INVALID_ITEM',
	);
	t.is(
		code(() => parsePdu({ type: 't', room_id: '!r', event_id: 5 })),
		'ERR_INVALID_ITEM',
	);
});

test('a PDU over 65536 bytes is refused with ERR_ITEM_TOO_LARGE', (t) => {
	t.is(
		code(() => parsePdu({ type: 't', room_id: '!r', content: { body: 'x'.repeat(65_536) } })),
		'ERR_ITEM_TOO_LARGE',
	);
});

test('an EDU is reduced to edu_type and content', (t) => {
	const item = parseEdu({ edu_type: 'm.typing', content: { typing: true }, origin: 'x', destination: 'y' });
	t.is(item.json, '{"content":{"typing":true},"edu_type":"m.typing"}');
	t.is(
		code(() => parseEdu({ edu_type: 'm.typing' })),
		'ERR_INVALID_ITEM',
	);
	t.is(
		code(() => parseEdu({ content: {} })),
		'ERR_INVALID_ITEM',
	);
});

test('item files hold one object or an array of them; bad JSON names its source', (t) => {
	t.is(
		parseItemsText('pdu', '[{"type":"a","room_id":"!r"},{"type":"b","room_id":"!r"}]', 'f.json').length,
		2,
	);
	t.is(parseItemsText('edu', '{"edu_type":"m.typing","content":{}}', 'stdin').length, 1);
	const error = t.throws(() => parseItemsText('pdu', '{"type":', 'broken.json'));
	t.is((error as unknown as { code: string }).code, 'ERR_INVALID_JSON');
	t.regex(error.message, /^broken\.json: /);
	t.is(
		code(() => parseItemsText('pdu', '[]', 'f')),
		'ERR_INVALID_ITEM',
	);
	t.is(
		code(() => parseItemsText('pdu', '[{"type":"a","room_id":"!r"}, 3]', 'f')),
		'ERR_INVALID_ITEM',
	);
});

test('destinations are validated and normalised, so one server has one queue', (t) => {
	t.is(normaliseDestination('Remote.Example'), 'remote.example');
	t.is(normaliseDestination('remote.example:8448'), 'remote.example:8448');
	t.is(normaliseDestination('[::1]:8448'), '[::1]:8448');
	t.is(normaliseDestination('127.0.0.1'), '127.0.0.1');
	for (const bad of ['', 'a..b', 'host:0', 'host:99999', '::1', 'https://x', 'a b', 'x/y']) {
		t.is(
			code(() => normaliseDestination(bad)),
			'ERR_INVALID_DESTINATION',
			bad,
		);
	}
});
