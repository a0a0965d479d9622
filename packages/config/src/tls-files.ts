/**
 * `federation_custom_ca_list`: CA certificate files read and checked at start-up, so a bad path or a file that
 * is not PEM fails then, naming the file, instead of at the first federation request.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Problems } from './errors.js';
import { showValue } from './errors.js';
import { resolvePath } from './sections.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Reads every CA file (relative to `baseDir`); returns their PEM texts, or null for none (system roots). */
export function readCustomCaList(
	files: readonly string[] | null | undefined,
	baseDir: string,
	problems: Problems,
): string[] | null {
	if (files === undefined || files === null || files.length === 0) {
		return null;
	}
	const pems: string[] = [];
	for (const [index, file] of files.entries()) {
		const key = `federation_custom_ca_list[${index}]`;
		const path = resolvePath(baseDir, file);
		let text: string;
		try {
			text = readFileSync(path, 'utf8');
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
			problems.add(key, showValue(path), `cannot read the CA file (${code})`);
			continue;
		}
		const blocks = text.match(PEM_BLOCK) ?? [];
		if (blocks.length === 0) {
			problems.add(key, showValue(path), 'the file holds no PEM certificate ("-----BEGIN CERTIFICATE-----")');
			continue;
		}
		const bad = blocks.findIndex((block) => !isCertificate(block));
		if (bad !== -1) {
			problems.add(
				key,
				showValue(path),
				`certificate ${bad + 1} in the file is not a valid X.509 certificate`,
			);
			continue;
		}
		pems.push(text);
	}
	return pems;
}

function isCertificate(pem: string): boolean {
	try {
		new X509Certificate(pem);
		return true;
	} catch {
		return false;
	}
}
