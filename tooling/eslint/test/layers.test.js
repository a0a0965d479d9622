// The architecture's import and environment rules are lint errors, so that `npm run check` fails on a violation.
import test from 'ava';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import shared from '../index.js';
import layers from '../layers.js';

const root = new URL('../../../', import.meta.url).pathname;

// One linter for every case: building one loads the parser and the rules, which is most of the time spent.
const eslint = new ESLint({
	cwd: root,
	overrideConfigFile: true,
	overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layers],
});

/** Lints `code` as if it were the file at `filePath` (relative to the repository root), with the layer rules only. */
async function lint(filePath, code) {
	const [result] = await eslint.lintText(code, { filePath });
	return result.messages.map((message) => message.ruleId);
}

test('a process.env read outside packages/config is a lint error', async (t) => {
	for (const file of [
		'packages/outbound-http/src/x.ts',
		'apps/federation-sender/src/x.ts',
		'tooling/testkit/src/x.ts',
	]) {
		t.deepEqual(
			await lint(file, "export const a = process.env['http_proxy'];\n"),
			['no-restricted-properties'],
			file,
		);
		t.deepEqual(
			await lint(file, "import { env } from 'node:process';\nexport const a = env['http_proxy'];\n"),
			['no-restricted-syntax'],
			file,
		);
	}
});

test('packages/config may read the environment, and tests may pass it to children', async (t) => {
	t.deepEqual(await lint('packages/config/src/x.ts', "export const a = process.env['http_proxy'];\n"), []);
	t.deepEqual(await lint('apps/media-fetcher/test/x.test.ts', 'export const a = { ...process.env };\n'), []);
});

test('a bare JSON.parse in federation or app code is a lint error; parseJson itself and tests may use it', async (t) => {
	const code = "export const a: unknown = JSON.parse('{}');\n";
	for (const file of ['packages/federation/src/x.ts', 'apps/federation-sender/src/x.ts', 'apps/media-fetcher/src/x.ts']) {
		t.deepEqual(await lint(file, code), ['no-restricted-properties'], file);
		// The environment rule still holds there: the JSON entry repeats it.
		t.deepEqual(await lint(file, "export const a = process.env['x'];\n"), ['no-restricted-properties'], file);
	}
	t.deepEqual(await lint('packages/federation/src/parse-json.ts', code), []);
	t.deepEqual(await lint('apps/federation-sender/test/x.test.ts', code), []);
});

test('imports against the layers are lint errors', async (t) => {
	const refused = [
		['packages/config/src/x.ts', '@homeserver/outbound-http'],
		['packages/outbound-http/src/x.ts', '@homeserver/federation'],
		['packages/federation/src/x.ts', '@homeserver/federation-sender'],
		['packages/outbound-http/src/x.ts', '@homeserver/testkit'],
		['apps/media-fetcher/src/x.ts', '@homeserver/federation-sender'],
		['apps/federation-sender/src/x.ts', '@homeserver/testkit'],
		['apps/federation-sender/src/x.ts', '@homeserver/outbound-http/dist/client/outbound-http.js'],
	];
	for (const [file, name] of refused) {
		t.deepEqual(
			await lint(file, `import { x } from '${name}';\nexport const a = x;\n`),
			['no-restricted-imports'],
			`${file} -> ${name}`,
		);
	}
});

test('imports along the layers are allowed', async (t) => {
	const allowed = [
		['packages/outbound-http/src/x.ts', '@homeserver/config'],
		['packages/federation/src/x.ts', '@homeserver/outbound-http'],
		['apps/media-fetcher/src/x.ts', '@homeserver/federation'],
		['apps/federation-sender/src/x.ts', '@homeserver/sqlite'],
		['packages/outbound-http/test/x.test.ts', '@homeserver/testkit'],
	];
	for (const [file, name] of allowed) {
		t.deepEqual(
			await lint(file, `import { x } from '${name}';\nexport const a = x;\n`),
			[],
			`${file} -> ${name}`,
		);
	}
});

test('the shared lint configuration applies every layer rule', (t) => {
	for (const config of layers) t.true(shared.includes(config));
});
