/**
 * Where things are on disk: this package, the monorepo root (for the default `.devnet/` data directory) and the
 * compiled command-line programs of the workspaces, found the way npm links them (`node_modules/@homeserver/...`).
 */
import { access, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevnetError } from './errors.js';

/** This package's directory (`tooling/devnet`): one level above `src/` (tsx) or `dist/` (compiled). */
export const devnetPackageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function exists(path: string): Promise<boolean> {
	return access(path).then(
		() => true,
		() => false,
	);
}

async function readJson(path: string): Promise<Record<string, unknown>> {
	return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/** The monorepo root: the nearest directory above this package whose package.json declares `workspaces`. */
export async function findRepoRoot(from: string = devnetPackageDir): Promise<string> {
	for (let dir = resolve(from, '..'); ; dir = dirname(dir)) {
		const manifest = join(dir, 'package.json');
		if ((await exists(manifest)) && 'workspaces' in (await readJson(manifest))) return dir;
		if (dirname(dir) === dir) {
			throw new DevnetError(
				'ERR_DEVNET_START',
				`no monorepo root (package.json with workspaces) above ${from}`,
			);
		}
	}
}

/**
 * The compiled file of `bin` in workspace package `packageName` (e.g. `@homeserver/federation-sender`,
 * `federation-sender` → `.../apps/federation-sender/dist/cli.js`). Fails with `ERR_DEVNET_NOT_BUILT` when the
 * package is not linked or not built.
 */
export async function findBin(
	packageName: string,
	bin: string,
	from: string = devnetPackageDir,
): Promise<string> {
	for (let dir = from; ; dir = dirname(dir)) {
		const packageDir = join(dir, 'node_modules', ...packageName.split('/'));
		if (await exists(join(packageDir, 'package.json'))) {
			const manifest = await readJson(join(packageDir, 'package.json'));
			const bins = manifest['bin'];
			const relative =
				typeof bins === 'object' && bins !== null ? (bins as Record<string, unknown>)[bin] : undefined;
			if (typeof relative !== 'string') {
				throw new DevnetError('ERR_DEVNET_NOT_BUILT', `${packageName} declares no "${bin}" program`);
			}
			const file = join(packageDir, relative);
			if (!(await exists(file))) {
				throw new DevnetError(
					'ERR_DEVNET_NOT_BUILT',
					`${file} is missing: run \`npm run build\` first (npm ci && npm run build && npm start)`,
				);
			}
			return file;
		}
		if (dirname(dir) === dir) {
			throw new DevnetError('ERR_DEVNET_NOT_BUILT', `${packageName} is not installed: run \`npm ci\` first`);
		}
	}
}
