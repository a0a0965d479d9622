import test from 'ava';
import {
	findSecrets,
	makeCredentials,
	proxyUrlWithCredentials,
	redactSecrets,
	redactedProxyUrl,
	secretForms,
} from '../src/credentials.js';

test('each run gets a fresh password that needs percent-encoding in the proxy URL', (t) => {
	const one = makeCredentials();
	const two = makeCredentials();
	t.not(one.password, two.password);
	const url = proxyUrlWithCredentials('https://127.0.0.1:3129', one);
	t.true(url.startsWith('https://devnet:s3cret%40devnet-'));
	t.false(url.includes(one.password));
	t.is(redactedProxyUrl('https://127.0.0.1:3129', one), 'https://devnet:***@127.0.0.1:3129');
});

test('a leak is found in any of its forms and reported by label, never by value', (t) => {
	const credentials = makeCredentials();
	const forms = secretForms(credentials);
	const basic = Buffer.from(`devnet:${credentials.password}`).toString('base64');
	t.deepEqual(findSecrets('nothing here', forms), []);
	t.deepEqual(findSecrets(`proxy-authorization: Basic ${basic}`, forms), ['the Basic proxy credentials']);
	t.deepEqual(findSecrets(`https://devnet:${encodeURIComponent(credentials.password)}@proxy`, forms), [
		'the percent-encoded proxy password',
	]);
	const labels = findSecrets(`password=${credentials.password}`, forms);
	t.deepEqual(labels, ['the proxy password']);
	t.false(labels.join(' ').includes(credentials.password));
});

test('redaction replaces every form of the secret in printed text', (t) => {
	const credentials = makeCredentials();
	const forms = secretForms(credentials);
	const encoded = encodeURIComponent(credentials.password);
	const text = `a ${credentials.password} b ${encoded} c`;
	t.is(redactSecrets(text, forms), 'a *** b *** c');
});
