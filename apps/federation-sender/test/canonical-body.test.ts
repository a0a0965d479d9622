// The stored transaction body is canonical JSON, so the federation client (which sends
// canonicalJson(JSON.parse(body))) puts exactly the stored bytes on the wire, on every retry of a txnId.
import { execFile, spawnSync } from 'node:child_process';
import { canonicalJson } from '@homeserver/federation';
import { independentCanonicalJson } from '@homeserver/testkit';
import test from 'ava';
import fc from 'fast-check';
import { parseEdu, parsePdu } from '../src/outbox/parse-items.js';
import { buildTransactionBody } from '../src/outbox/transaction-body.js';

/** What the federation client does with a stored body before sending it. */
const onTheWire = (body: string): string => canonicalJson(JSON.parse(body));

const text = fc.string({ unit: 'binary', maxLength: 12 });
const json = fc.letrec<{ value: unknown }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		fc.constant(null),
		fc.boolean(),
		fc.maxSafeInteger(),
		fc.constantFrom(0, -0, 2 ** 53 - 1, -(2 ** 53 - 1)),
		text,
		fc.array(tie('value'), { maxLength: 4 }),
		fc.dictionary(text, tie('value'), { maxKeys: 4 }),
	),
}));
const pduValue = fc
	.record({ type: text, room_id: text, content: fc.dictionary(text, json.value, { maxKeys: 5 }) })
	.chain((base) => fc.dictionary(text, json.value, { maxKeys: 4 }).map((extra) => ({ ...extra, ...base })));
const eduValue = fc.record({
	edu_type: text.filter((s) => s.length > 0),
	content: fc.dictionary(text, json.value, { maxKeys: 5 }),
});

test('built transaction bodies are canonical JSON: re-serialising the parsed body gives the same bytes', (t) => {
	fc.assert(
		fc.property(
			fc.array(pduValue, { maxLength: 4 }),
			fc.array(eduValue, { maxLength: 3 }),
			fc.nat(),
			(pdus, edus, ts) => {
				const body = buildTransactionBody(
					'origin.test',
					ts,
					pdus.map((p) => parsePdu(p).json),
					edus.map((e) => parseEdu(e).json),
				);
				return onTheWire(body) === body && independentCanonicalJson(JSON.parse(body)) === body;
			},
		),
		{ numRuns: 300 },
	);
	t.pass();
});

/** Items whose canonical form differs from JSON.stringify's in every way that matters. */
const HAIRY_PDU = {
	type: 'm.room.message',
	room_id: '!r:origin.test',
	event_id: '$e1',
	content: {
		'\u{1F600}': 'astral key sorts after U+FFFF',
		'\uFFFD': 'BMP key',
		b: [-0, 9007199254740991, -9007199254740991],
		a: 'é\n\t"\\\u0001\u001f\u2028\u2029</script>',
		['__proto__']: { z: 1, y: null, x: false },
		'': 'empty key',
	},
	depth: 3,
};

test('a transaction with EDUs and tricky keys and strings is stored canonically, edus first', (t) => {
	const pdu = parsePdu(HAIRY_PDU);
	const edu = parseEdu({ edu_type: 'm.typing', content: { user_id: '@a:b', typing: true, room_id: '!r' } });
	const body = buildTransactionBody('origin.test', 1_700_000_000_000, [pdu.json], [edu.json]);
	t.is(onTheWire(body), body);
	t.true(body.startsWith('{"edus":[{"content":{"room_id":"!r","typing":true,"user_id":"@a:b"}'));
	t.regex(body, /,"origin":"origin\.test","origin_server_ts":1700000000000,"pdus":\[\{"content":\{"":/);
	t.true(body.includes('"b":[0,9007199254740991,-9007199254740991]'));
	t.true(body.includes('"a":"é\\n\\t\\"\\\\\\u0001\\u001f\u2028\u2029</script>"'));
	const withoutEdus = buildTransactionBody('origin.test', 5, [pdu.json], []);
	t.is(onTheWire(withoutEdus), withoutEdus);
	t.false(withoutEdus.includes('"edus"'));
});

test('an item with an unpaired surrogate cannot be stored (it has no canonical form)', (t) => {
	const error = t.throws(() => parsePdu({ type: 't', room_id: '!r', content: { body: 'a\uD800b' } }));
	t.is((error as unknown as { code: string }).code, 'ERR_INVALID_ITEM');
	t.regex(error.message, /surrogate/);
});

const PYTHON_CHECK =
	'import sys, json, canonicaljson\n' +
	'bodies = json.load(sys.stdin)\n' +
	'print(json.dumps([canonicaljson.encode_canonical_json(json.loads(b)).decode("utf-8") == b for b in bodies]))';

/** A python3 with matrix.org's canonicaljson, or null (pyenv shims may hide the Debian package). */
function matrixOrgPython(): string | null {
	return (
		['python3', '/usr/bin/python3'].find(
			(python) =>
				spawnSync(python, ['-c', 'import canonicaljson'], { stdio: 'ignore', timeout: 20_000 }).status === 0,
		) ?? null
	);
}

test("matrix.org's canonicaljson agrees that stored bodies are canonical", async (t) => {
	const python = matrixOrgPython();
	if (python === null) {
		t.fail(
			"python3 with matrix.org's canonicaljson is missing: install python3-canonicaljson (.ci/run does)",
		);
		return;
	}
	const pdu = parsePdu(HAIRY_PDU).json;
	const edu = parseEdu({ edu_type: 'm.receipt', content: { '!r': { 'm.read': { '@u:x': {} } } } }).json;
	const bodies = [
		buildTransactionBody('origin.test', 1, [pdu], [edu]),
		buildTransactionBody('origin.test', 2, [pdu, pdu], []),
	];
	const answer = await new Promise<string>((resolve, reject) => {
		const child = execFile(python, ['-c', PYTHON_CHECK], { timeout: 30_000 }, (error, stdout, stderr) =>
			error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)),
		);
		child.stdin?.end(JSON.stringify(bodies));
	});
	t.deepEqual(JSON.parse(answer), [true, true]);
});
