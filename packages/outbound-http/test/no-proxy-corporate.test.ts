// The corporate no_proxy forms the config loader understands (`10.*`, `192.168.*`, `<local>`) route as they mean,
// and a machine-wide NO_PROXY with entries we cannot use still routes by the entries we can.
import test from 'ava';
import { createRouter } from '../src/index.js';
import { configFrom } from './helpers/setup.js';

const PROXIES = { http_proxy: 'http://proxy.test:3128', https_proxy: 'http://proxy.test:3128' };

function routeWith(noProxy: string, url: string): string {
	// No IP blocklist: these cases are about no_proxy alone.
	const router = createRouter(configFrom({ ...PROXIES, no_proxy: noProxy }, 'ip_range_blacklist: []'));
	return router.route(url, 'push').route;
}

const cases: [noProxy: string, url: string, expected: 'direct' | 'proxy'][] = [
	['10.*', 'http://10.200.3.4/', 'direct'],
	['10.*', 'http://11.0.0.1/', 'proxy'],
	['10.*', 'http://10.example/', 'proxy'],
	['192.168.*', 'https://192.168.77.1:8448/', 'direct'],
	['192.168.*', 'https://192.169.0.1/', 'proxy'],
	['172.16.*.*', 'http://172.16.9.9/', 'direct'],
	['10.1.2.*', 'http://10.1.2.254/', 'direct'],
	['10.1.2.*', 'http://10.1.3.1/', 'proxy'],
	['<local>', 'https://intranet/', 'direct'],
	['<local>', 'http://localhost:8080/', 'direct'],
	['<LOCAL>', 'https://wiki/', 'direct'],
	['<local>', 'https://intranet.corp.example/', 'proxy'],
	['<local>', 'http://127.0.0.1/', 'proxy'],
	['<local>', 'http://[::1]/', 'proxy'],
	['*.corp.example', 'https://git.corp.example/', 'direct'],
	// The common corporate value: every entry works, the unusable `1.2.3` is skipped (so 10.1.2.3 is not exempt by it).
	['localhost,127.0.0.1,.corp.example,10.*,1.2.3', 'https://wiki.corp.example/', 'direct'],
	['localhost,127.0.0.1,.corp.example,10.*,1.2.3', 'http://10.9.9.9/', 'direct'],
	['localhost,127.0.0.1,.corp.example,1.2.3', 'http://10.1.2.3/', 'proxy'],
	['localhost,127.0.0.1,.corp.example,10.*,1.2.3', 'https://matrix.org/', 'proxy'],
];

for (const [noProxy, url, expected] of cases) {
	test(`environment no_proxy ${JSON.stringify(noProxy)}: ${url} goes ${expected}`, (t) => {
		t.is(routeWith(noProxy, url), expected);
	});
}

test('the reason of a <local> or 10.* match names the entry as written', (t) => {
	const router = createRouter(configFrom({ ...PROXIES, NO_PROXY: '<local>,10.*' }, 'ip_range_blacklist: []'));
	t.is(router.route('https://intranet/', 'push').reason, "no_proxy entry '<local>' (NO_PROXY (environment))");
	t.is(router.route('http://10.0.0.9/', 'push').reason, "no_proxy entry '10.*' (NO_PROXY (environment))");
});
