// Which failures a short retry may repeat: only network-level ones, before any answer (docs/architecture.md 3.6).
import test from 'ava';
import {
	FederationDeniedError,
	IpBlockedError,
	OutboundHttpError,
	ProxyRefusedError,
	RequestTimeoutError,
	ResponseTooLargeError,
} from '@homeserver/outbound-http';
import {
	FederationAbortedError,
	FederationTimeoutError,
	isNetworkFailure,
	MatrixRemoteError,
} from '../src/index.js';

const errno = (code: string): Error => Object.assign(new Error(code), { code });
const failed = (code: string): OutboundHttpError =>
	new OutboundHttpError('ERR_REQUEST_FAILED', `failed: ${code}`, {
		cause: new Error('got', { cause: errno(code) }),
	});

test('refused, unreachable and reset connections are network-level failures', (t) => {
	t.true(isNetworkFailure(new OutboundHttpError('ERR_DESTINATION_UNREACHABLE', 'refused')));
	t.true(isNetworkFailure(new OutboundHttpError('ERR_PROXY_UNREACHABLE', 'refused')));
	t.true(isNetworkFailure(failed('ECONNRESET')));
	t.true(isNetworkFailure(failed('EPIPE')));
	t.false(isNetworkFailure(failed('ERR_STREAM_PREMATURE_CLOSE')), 'not a socket error');
	t.false(isNetworkFailure(new OutboundHttpError('ERR_REQUEST_FAILED', 'no cause')));
});

test("the proxy's 502, 503 and 504 to CONNECT (it could not reach the destination) are network-level failures", (t) => {
	for (const status of [502, 503, 504]) {
		t.true(isNetworkFailure(new ProxyRefusedError('http://proxy.test:3128', status, '', `the proxy answered ${status}`)));
	}
	for (const status of [400, 403, 500]) {
		t.false(isNetworkFailure(new ProxyRefusedError('http://proxy.test:3128', status, '', `the proxy answered ${status}`)));
	}
});

test('timeouts before the answer are network-level; overall deadlines and a slow body are not', (t) => {
	for (const phase of ['lookup', 'connect', 'secureConnect', 'send', 'response', 'socket']) {
		t.true(isNetworkFailure(new RequestTimeoutError('https://remote.test/', phase, undefined)), phase);
	}
	t.true(isNetworkFailure(new OutboundHttpError('ERR_PROXY_TIMEOUT', 'slow proxy')));
	for (const phase of ['request', 'rate']) {
		t.false(isNetworkFailure(new RequestTimeoutError('https://remote.test/', phase, undefined)), phase);
	}
	t.false(isNetworkFailure(new FederationTimeoutError('remote.test', 1000)));
});

test('answers, refusals by the configuration, sizes, aborts and foreign errors are never network-level', (t) => {
	const never: unknown[] = [
		MatrixRemoteError.fromResponse(502, {}, '{"errcode":"M_UNKNOWN"}'),
		new OutboundHttpError('ERR_HTTP_STATUS', '500'),
		new ProxyRefusedError('http://proxy.test:3128', 403, 'Forbidden', 'the proxy answered 403'),
		new OutboundHttpError('ERR_PROXY_REFUSED', 'a refusal without a status'),
		new OutboundHttpError('ERR_PROXY_AUTH_REQUIRED', '407'),
		new OutboundHttpError('ERR_PROXY_PROTOCOL', 'garbage'),
		new OutboundHttpError('ERR_DESTINATION_TLS', 'bad certificate'),
		new ResponseTooLargeError('https://remote.test/', 10, 20, true),
		new FederationDeniedError('stranger.test'),
		new IpBlockedError('remote.test', {
			address: '10.0.0.1',
			range: '10.0.0.0/8',
			derivedFrom: undefined,
			key: 'ip_range_blacklist',
			allowlistKey: 'ip_range_whitelist',
		}),
		new FederationAbortedError('remote.test', new Error('stop')),
		Object.assign(new Error('look-alike'), { code: 'ERR_DESTINATION_UNREACHABLE' }),
		errno('ECONNRESET'),
	];
	for (const error of never) t.false(isNetworkFailure(error), String(error));
});
