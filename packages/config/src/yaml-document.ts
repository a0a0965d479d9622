/**
 * Reading `homeserver.yaml` text into a plain object, the way Synapse's PyYAML reads it (YAML 1.1: `yes`/`no`
 * are booleans), with errors reported by position only: a YAML error never quotes the line, which could hold a
 * proxy password.
 */
import { parseDocument } from 'yaml';
import type { Problems } from './errors.js';

/** Parses YAML text; records problems and returns `{}` when the text is not a valid YAML mapping. */
export function parseYamlDocument(text: string, problems: Problems): Record<string, unknown> {
	const document = parseDocument(text, {
		version: '1.1',
		prettyErrors: false,
		uniqueKeys: true,
		merge: true,
	});
	if (document.errors.length > 0) {
		for (const error of document.errors) {
			const where =
				error.linePos === undefined
					? ''
					: ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`;
			problems.add('(YAML)', '', `YAML syntax error${where}: ${firstLine(error.message)} (${error.code})`);
		}
		return {};
	}
	let value: unknown;
	try {
		value = document.toJS({ maxAliasCount: 1000 });
	} catch (error) {
		problems.add('(YAML)', '', `the YAML cannot be read: ${firstLine(String((error as Error).message))}`);
		return {};
	}
	if (value === null || value === undefined) {
		return {};
	}
	if (typeof value !== 'object' || Array.isArray(value)) {
		problems.add('(YAML)', '', 'the configuration must be a YAML mapping of keys to values');
		return {};
	}
	return value as Record<string, unknown>;
}

/** The first line of a library message, without any quoted source text after it. */
function firstLine(message: string): string {
	const line = message.split('\n')[0] ?? '';
	return line.replace(/\s+at line \d+, column \d+:?$/, '');
}
