import test from 'ava';
import { cachePeriodFromHeaders, parseHttpDate } from '../src/index.js';

// Synapse tests/http/federation/test_matrix_federation_agent.py, TestCachePeriodFromHeaders.
const NOW = 1548833700 * 1000;

test('Cache-Control: directive names are case-insensitive and spaces around "=" are allowed', (t) => {
	t.is(cachePeriodFromHeaders({ 'Cache-Control': 'foo, Max-Age = 100, bar' }, NOW), 100);
});

test('Cache-Control: an empty max-age gives no period', (t) => {
	t.is(cachePeriodFromHeaders({ 'Cache-Control': 'max-age=, bar' }, NOW), undefined);
});

test('Cache-Control: "private; max-age=0" is bogus (semicolon) and gives no period', (t) => {
	t.is(cachePeriodFromHeaders({ 'Cache-Control': 'private; max-age=0' }, NOW), undefined);
});

test('Cache-Control: max-age=0 with other directives gives 0', (t) => {
	t.is(cachePeriodFromHeaders({ 'Cache-Control': 'max-age=0, private, must-revalidate' }, NOW), 0);
	t.is(cachePeriodFromHeaders({ 'cache-control': 'private, max-age=0' }, NOW), 0);
});

test('Cache-Control: no-store gives 0, whatever else is there', (t) => {
	t.is(cachePeriodFromHeaders({ 'cache-control': 'max-age=1000, no-store' }, NOW), 0);
});

test('Cache-Control: several header lines are all read', (t) => {
	t.is(cachePeriodFromHeaders({ 'cache-control': ['public', 'max-age=77'] }, NOW), 77);
});

test('Expires gives the seconds until then', (t) => {
	t.is(cachePeriodFromHeaders({ Expires: 'Wed, 30 Jan 2019 07:35:33 GMT' }, NOW), 33);
});

test('Cache-Control max-age overrides Expires', (t) => {
	t.is(
		cachePeriodFromHeaders({ 'cache-control': 'max-age=10', Expires: 'Wed, 30 Jan 2019 07:35:33 GMT' }, NOW),
		10,
	);
});

test('an invalid Expires means immediate expiry', (t) => {
	t.is(cachePeriodFromHeaders({ Expires: '0' }, NOW), 0);
	t.is(cachePeriodFromHeaders({ expires: 'tomorrow' }, NOW), 0);
});

test('an Expires in the past gives a negative period (the caller clamps it)', (t) => {
	t.is(cachePeriodFromHeaders({ expires: 'Wed, 30 Jan 2019 07:34:00 GMT' }, NOW), -60);
});

test('without caching headers there is no period', (t) => {
	t.is(cachePeriodFromHeaders({ 'content-type': 'application/json' }, NOW), undefined);
});

test('HTTP dates in the three RFC 9110 forms parse to the same instant', (t) => {
	const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
	t.is(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), expected);
	t.is(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), expected);
	t.is(parseHttpDate('Sun Nov  6 08:49:37 1994'), expected);
});

for (const bad of [
	'0',
	'',
	'2019-01-30T07:35:33Z',
	'Wed, 31 Feb 2019 07:35:33 GMT',
	'Wed, 30 Foo 2019 07:35:33 GMT',
	'Wed, 30 Jan 2019 25:00:00 GMT',
	'Wed, 30 Jan 2019 07:35:33 PST',
]) {
	test(`${JSON.stringify(bad)} is not an HTTP date`, (t) => {
		t.is(parseHttpDate(bad), undefined);
	});
}
