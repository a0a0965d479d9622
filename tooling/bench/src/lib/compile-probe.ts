/**
 * Compiles a probe (a TypeScript child entry point) to plain JavaScript with esbuild, so that the child
 * runs on bare `node`: a tsx loader would add about 30 MB of its own to the RSS the probe measures.
 * Packages stay external (resolved from the workspace's node_modules); output goes to `dist/probes/`.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';

const outDir = fileURLToPath(new URL('../../dist/probes/', import.meta.url));
const compiled = new Map<string, Promise<string>>();

/** The path of the compiled `.mjs` of `entry`; compiled once per run. */
export function compileProbe(entry: URL): Promise<string> {
	const source = fileURLToPath(entry);
	let out = compiled.get(source);
	if (out === undefined) {
		const file = join(outDir, basename(source).replace(/\.ts$/, '.mjs'));
		out = build({
			entryPoints: [source],
			outfile: file,
			bundle: true,
			packages: 'external',
			platform: 'node',
			format: 'esm',
			target: 'node20',
			logLevel: 'warning',
		}).then(() => file);
		compiled.set(source, out);
	}
	return out;
}
