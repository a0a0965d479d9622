/**
 * proxy-from-env, a contender of the routing scenario, takes its `no_proxy` list from the process environment only.
 * This file is the one place outside packages/config allowed to touch `process.env` (tooling/eslint/layers.js):
 * it sets the variables for that contender and puts back what was there.
 */

const NAMES = ['no_proxy', 'NO_PROXY', 'https_proxy', 'http_proxy'] as const;

/** Puts the proxy variables back as they were when this was called. */
export type RestoreEnvironment = () => void;

/** Sets `no_proxy`/`NO_PROXY` to `noProxy` and both proxy variables to `proxy`, for proxy-from-env. */
export function setProxyFromEnvEnvironment(noProxy: string, proxy: string): RestoreEnvironment {
	const saved = NAMES.map((name) => [name, process.env[name]] as const);
	process.env['no_proxy'] = noProxy;
	process.env['NO_PROXY'] = noProxy;
	process.env['https_proxy'] = proxy;
	process.env['http_proxy'] = proxy;
	return () => {
		for (const [name, value] of saved) {
			if (value === undefined) Reflect.deleteProperty(process.env, name);
			else process.env[name] = value;
		}
	};
}
