// Error codes are unique across the workspace: each code has one owner, whose catalogue defines and documents it;
// a package that reports the same failure re-uses the owner's error (docs/architecture.md, "Errors").
import { CONFIG_ERRORS } from '@homeserver/config';
import { DEVNET_ERRORS } from '@homeserver/devnet';
import { FEDERATION_ERRORS } from '@homeserver/federation';
import { FEDERATION_SENDER_ERRORS } from '@homeserver/federation-sender';
import { MEDIA_FETCHER_ERRORS } from '@homeserver/media-fetcher';
import { OUTBOUND_HTTP_ERRORS } from '@homeserver/outbound-http';
import { SQLITE_ERRORS } from '@homeserver/sqlite';
import { duplicateErrorCodes, TESTKIT_ERRORS } from '@homeserver/testkit';
import test from 'ava';

const catalogues: Record<string, readonly string[]> = {
	'@homeserver/config': Object.keys(CONFIG_ERRORS),
	'@homeserver/outbound-http': Object.keys(OUTBOUND_HTTP_ERRORS),
	'@homeserver/federation': Object.keys(FEDERATION_ERRORS),
	'@homeserver/sqlite': Object.keys(SQLITE_ERRORS),
	'@homeserver/federation-sender': Object.keys(FEDERATION_SENDER_ERRORS),
	'@homeserver/media-fetcher': Object.keys(MEDIA_FETCHER_ERRORS),
	'@homeserver/testkit': Object.keys(TESTKIT_ERRORS),
	'@homeserver/devnet': Object.keys(DEVNET_ERRORS),
};

test('no error code is defined by two packages', (t) => {
	t.deepEqual(duplicateErrorCodes(catalogues), {});
});

test('every catalogue has codes, each ERR_ and upper case, each with a one-line meaning', (t) => {
	const all = [
		CONFIG_ERRORS,
		OUTBOUND_HTTP_ERRORS,
		FEDERATION_ERRORS,
		SQLITE_ERRORS,
		FEDERATION_SENDER_ERRORS,
		MEDIA_FETCHER_ERRORS,
		TESTKIT_ERRORS,
		DEVNET_ERRORS,
	];
	for (const catalogue of all) {
		t.true(Object.keys(catalogue).length > 0);
		for (const [code, { meaning }] of Object.entries(catalogue)) {
			t.regex(code, /^ERR_[A-Z0-9]+(?:_[A-Z0-9]+)*$/);
			t.regex(meaning, /^\S[^\n]*$/, code);
		}
	}
});

test('the duplicate check names each code defined twice and its owners', (t) => {
	t.deepEqual(duplicateErrorCodes({ a: ['ERR_X', 'ERR_Y'], b: ['ERR_Y'], c: ['ERR_Y', 'ERR_Z'] }), {
		ERR_Y: ['a', 'b', 'c'],
	});
});
