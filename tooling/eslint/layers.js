// The architecture's rules as lint rules (docs/architecture.md 2): which workspace may import which, and who may
// read the environment. A violation fails `npm run check`.

const apps = ['@homeserver/federation-sender', '@homeserver/media-fetcher'];
const tooling = ['@homeserver/testkit', '@homeserver/devnet', '@homeserver/hostile', '@homeserver/bench'];

/**
 * Each layer of `src/` code and the workspaces it must not import: apps -> federation -> outbound-http -> config;
 * `packages/sqlite` stands alone; nothing in `packages/` imports an app or tooling; an app imports no other app.
 */
const layers = [
	{
		files: ['packages/config/src/**'],
		forbidden: [
			'@homeserver/outbound-http',
			'@homeserver/federation',
			'@homeserver/sqlite',
			...apps,
			...tooling,
		],
	},
	{
		files: ['packages/outbound-http/src/**'],
		forbidden: ['@homeserver/federation', '@homeserver/sqlite', ...apps, ...tooling],
	},
	{ files: ['packages/federation/src/**'], forbidden: ['@homeserver/sqlite', ...apps, ...tooling] },
	{
		files: ['packages/sqlite/src/**'],
		forbidden: [
			'@homeserver/config',
			'@homeserver/outbound-http',
			'@homeserver/federation',
			...apps,
			...tooling,
		],
	},
	{ files: ['apps/federation-sender/src/**'], forbidden: ['@homeserver/media-fetcher', ...tooling] },
	{ files: ['apps/media-fetcher/src/**'], forbidden: ['@homeserver/federation-sender', ...tooling] },
];

const deepImports = {
	group: ['@homeserver/*/*', '**/packages/*/src/**', '**/apps/*/src/**', '**/tooling/*/src/**'],
	message: 'Import a workspace through its package name and barrel (src/index.ts), never a file inside it.',
};

const layerConfigs = layers.map(({ files, forbidden }) => ({
	files,
	rules: {
		'no-restricted-imports': [
			'error',
			{
				paths: forbidden.map((name) => ({
					name,
					message:
						'This import breaks the layers of docs/architecture.md 2 (apps -> federation -> outbound-http -> config).',
				})),
				patterns: [deepImports],
			},
		],
	},
}));

const envMessage =
	'Only packages/config reads the environment (docs/architecture.md 2): take the value from the frozen Config or as an option.';

/** Every `src/` file but packages/config's: no `process.env`, no `env` from `node:process`. */
const environment = {
	files: ['**/src/**/*.ts', '**/src/**/*.js'],
	// proxy-from-env, a benchmark contender, reads nothing but the environment: its one setter is allowed.
	ignores: ['packages/config/src/**', 'tooling/bench/src/contenders/proxy-from-env-environment.ts'],
	rules: {
		'no-restricted-properties': ['error', { object: 'process', property: 'env', message: envMessage }],
		'no-restricted-syntax': [
			'error',
			{
				selector: "ImportDeclaration[source.value='node:process'] ImportSpecifier[imported.name='env']",
				message: envMessage,
			},
			{ selector: "ImportDeclaration[source.value='process']", message: envMessage },
		],
	},
};

const jsonParseMessage =
	'Network and outbox JSON is read with parseJson from @homeserver/federation: V8 on Node 24 misreads escaped keys (docs/architecture.md 4).';

/**
 * Where JSON comes from the network or the outbox (federation and the apps): no bare `JSON.parse`. This entry
 * repeats the environment one, since a later `no-restricted-properties` replaces an earlier one's options.
 */
const jsonParse = {
	files: ['packages/federation/src/**/*.ts', 'apps/*/src/**/*.ts'],
	ignores: ['packages/federation/src/parse-json.ts'],
	rules: {
		'no-restricted-properties': [
			'error',
			{ object: 'process', property: 'env', message: envMessage },
			{ object: 'JSON', property: 'parse', message: jsonParseMessage },
		],
	},
};

export default [...layerConfigs, environment, jsonParse];
