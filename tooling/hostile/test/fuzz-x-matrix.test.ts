import {
	XMatrixError,
	buildXMatrixAuthorization,
	decodeBase64,
	generateSigningKey,
	parseServerName,
	parseXMatrixAuthorization,
} from '@homeserver/federation';
import { verifyXMatrix } from '@homeserver/testkit';
import test from 'ava';
import fc from 'fast-check';
import { canonicalObject } from './helpers/canonical-values.js';
import { RUNS } from './helpers/fuzz-runs.js';

const key = generateSigningKey('fuzz_1');

const serverName = fc.oneof(
	fc.domain(),
	fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65_535 })).map(([host, port]) => `${host}:${port}`),
	fc.ipV4(),
	fc
		.tuple(fc.ipV6(), fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }))
		.map(([address, port]) => `[${address}]${port === undefined ? '' : `:${port}`}`),
);
const printable = fc.constantFrom(
	...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)),
);
const request = fc.record({
	method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'OPTIONS'),
	uri: fc.string({ unit: printable, maxLength: 60 }).map((tail) => `/${tail}`),
	origin: serverName,
	destination: serverName,
	content: fc.option(canonicalObject, { nil: undefined }),
});

/** Re-spells a header the ways RFC 9110 auth-params allow; the parser must read the same values back. */
const respelling = fc.record({
	schemeCase: fc.constantFrom('X-Matrix', 'x-matrix', 'X-MATRIX'),
	order: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
	comma: fc.constantFrom(',', ', ', ' ,\t', ',,', ' , , '),
	equals: fc.constantFrom('=', ' = ', '\t='),
	upperNames: fc.boolean(),
	unquote: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
	signatureAlias: fc.boolean(),
});

type Respelling = typeof respelling extends fc.Arbitrary<infer T> ? T : never;

function respell(values: Record<'origin' | 'destination' | 'key' | 'sig', string>, how: Respelling): string {
	const names = ['origin', 'destination', 'key', how.signatureAlias ? 'signature' : 'sig'] as const;
	const fields = [values.origin, values.destination, values.key, values.sig];
	const params = how.order.map((index) => {
		const name = how.upperNames ? names[index]!.toUpperCase() : names[index]!;
		const value = fields[index]!;
		const quoted = how.unquote[index] === true && /^[^\s,"\\]+$/.test(value) ? value : `"${value}"`;
		return `${name}${how.equals}${quoted}`;
	});
	return `${how.schemeCase} ${params.join(how.comma)}`;
}

test('build -> parse round-trips in every legal spelling, and an independent verifier accepts the signature', (t) => {
	fc.assert(
		fc.property(request, respelling, (req, how) => {
			const header = buildXMatrixAuthorization({ ...req, key });
			const parsed = parseXMatrixAuthorization(header);
			const same =
				parsed.origin === req.origin &&
				parsed.destination === req.destination &&
				parsed.key === key.keyId &&
				decodeBase64(parsed.sig).length === 64;
			const again = parseXMatrixAuthorization(respell({ ...parsed, destination: req.destination }, how));
			const verdict = verifyXMatrix(
				header,
				{
					method: req.method,
					uri: req.uri,
					destination: req.destination,
					...(req.content === undefined ? {} : { content: req.content }),
				},
				{ [req.origin]: { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
			);
			return same && verdict.ok && JSON.stringify(again) === JSON.stringify(parsed);
		}),
		{ numRuns: RUNS.xMatrixRoundTrip },
	);
	t.pass();
});

const HEADER_UNIT = fc.constantFrom(
	...'X-Matrix xmatrix ,="\\ \t:/.+=abcdefABC0123456789[]'.split(''),
	'origin',
	'destination',
	'key',
	'sig',
	'signature',
	'ed25519:1',
	'"',
	'\\"',
	'\u00e9',
	'\u0000',
	'\r\n',
);

const garbage = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 120 }),
	fc.string({ unit: HEADER_UNIT, maxLength: 40 }).map((rest) => `X-Matrix ${rest}`),
	fc.string({ unit: HEADER_UNIT, maxLength: 40 }),
	fc
		.tuple(
			request,
			fc.array(fc.tuple(fc.nat(), fc.string({ unit: HEADER_UNIT, maxLength: 3 }), fc.nat(3)), {
				minLength: 1,
				maxLength: 5,
			}),
		)
		.map(([req, edits]) => {
			let header = buildXMatrixAuthorization({ ...req, key });
			for (const [at, text, cut] of edits) {
				const i = at % (header.length + 1);
				header = header.slice(0, i) + text + header.slice(i + cut);
			}
			return header;
		}),
	fc.nat({ max: 40_000 }).map((length) => `X-Matrix origin="${'a'.repeat(length)}"`),
);

test('garbage headers parse to valid values or throw XMatrixError, nothing else', (t) => {
	let accepted = 0;
	fc.assert(
		fc.property(garbage, (header) => {
			try {
				const parsed = parseXMatrixAuthorization(header);
				accepted += 1;
				parseServerName(parsed.origin);
				if (parsed.destination !== undefined) parseServerName(parsed.destination);
				return /^[A-Za-z0-9_]+:[A-Za-z0-9_]+$/.test(parsed.key) && decodeBase64(parsed.sig).length > 0;
			} catch (error) {
				if (error instanceof XMatrixError && error.code === 'ERR_X_MATRIX_INVALID') return true;
				throw new Error(`untyped failure for ${JSON.stringify(header.slice(0, 200))}: ${String(error)}`, {
					cause: error,
				});
			}
		}),
		{ numRuns: RUNS.xMatrixGarbage },
	);
	t.log(`${accepted} of ${RUNS.xMatrixGarbage} mangled headers still parsed (all to valid values)`);
	t.pass();
});
