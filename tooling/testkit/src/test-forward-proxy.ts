/**
 * The forward proxy most tests want: in process, resolving the test's host names to loopback, closed when the test
 * ends. Written once here for every workspace's tests.
 */
import { startForwardProxy } from './forward-proxy.js';
import type { ForwardProxy, ForwardProxyOptions } from './forward-proxy.js';
import { loopbackLookup } from './loopback-lookup.js';
import type { LoopbackHostMap } from './loopback-lookup.js';

/** What a test framework gives to clean up after a test (ava's `t`). */
export interface TestTeardown {
	teardown(fn: () => unknown): void;
}

/** Starts a forward proxy that resolves `hosts` to loopback, closed by `t`'s teardown. */
export async function startTestForwardProxy(
	t: TestTeardown,
	hosts: LoopbackHostMap,
	options: ForwardProxyOptions = {},
): Promise<ForwardProxy> {
	const proxy = await startForwardProxy({ lookup: loopbackLookup(hosts), ...options });
	t.teardown(() => proxy.close());
	return proxy;
}
