/**
 * The devnet's data directory (`.devnet/` under the repository by default): wiped at every start, but only when
 * it is one the devnet made before (it holds the marker file) or empty, so a mistyped `--data-dir` can never
 * delete anything else.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DevnetError } from './errors.js';

/** The file that marks a directory as the devnet's own. */
export const DATA_DIR_MARKER = '.devnet-data-dir';

/** The layout inside the data directory. */
export interface DataDirLayout {
	readonly root: string;
	readonly logs: string;
	readonly items: string;
	readonly configFile: string;
	readonly signingKeyFile: string;
	readonly caFile: string;
	readonly mediaStore: string;
}

/** Where each file goes (relative names are what `homeserver.yaml` refers to). */
export function layoutOf(root: string): DataDirLayout {
	return {
		root,
		logs: join(root, 'logs'),
		items: join(root, 'items'),
		configFile: join(root, 'homeserver.yaml'),
		signingKeyFile: join(root, 'signing.key'),
		caFile: join(root, 'ca.pem'),
		mediaStore: join(root, 'media_store'),
	};
}

/** Empties (or creates) `root` and its sub-directories; refuses a non-empty directory the devnet did not make. */
export async function prepareDataDir(root: string): Promise<DataDirLayout> {
	const entries: string[] = await readdir(root).catch((error: NodeJS.ErrnoException) => {
		if (error.code === 'ENOENT') return [];
		throw new DevnetError('ERR_DEVNET_START', `cannot read the data directory ${root}: ${error.message}`, {
			cause: error,
		});
	});
	if (entries.length > 0 && !entries.includes(DATA_DIR_MARKER)) {
		throw new DevnetError(
			'ERR_DEVNET_START',
			`${root} is not empty and was not made by the devnet (no ${DATA_DIR_MARKER}): refusing to wipe it`,
		);
	}
	await rm(root, { recursive: true, force: true });
	const layout = layoutOf(root);
	await mkdir(layout.logs, { recursive: true, mode: 0o700 });
	await mkdir(layout.items, { recursive: true });
	await writeFile(join(root, DATA_DIR_MARKER), 'made by @homeserver/devnet; wiped at every start\n');
	return layout;
}
