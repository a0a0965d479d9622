/**
 * Reading `homeserver.yaml` text into a plain object, the way Synapse's PyYAML reads it (YAML 1.1: `yes`/`no`
 * are booleans), with errors reported by position only: a YAML error never quotes the line, which could hold a
 * proxy password.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { ErrorCode } from 'yaml';
import type { Problems } from './errors.js';

/** Parses YAML text; records problems and returns `{}` when the text is not a valid YAML mapping. */
export function parseYamlDocument(text: string, problems: Problems): Record<string, unknown> {
	const lineCounter = new LineCounter();
	const document = parseDocument(text, {
		version: '1.1',
		prettyErrors: false,
		uniqueKeys: true,
		merge: true,
		lineCounter,
	});
	if (document.errors.length > 0) {
		for (const error of document.errors) {
			const { line, col } = lineCounter.linePos(error.pos[0]);
			const where = ` at line ${line}, column ${col}`;
			problems.add('(YAML)', '', `YAML syntax error${where}: ${DESCRIPTIONS[error.code]} (${error.code})`);
		}
		return {};
	}
	let value: unknown;
	try {
		value = document.toJS({ maxAliasCount: 1000 });
	} catch (error) {
		problems.add(
			'(YAML)',
			'',
			`the YAML cannot be read (${(error as Error).name}): an alias is unresolved or used too often`,
		);
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

/**
 * What each YAML error code means. The library's own messages are not used: some quote the offending text,
 * which could be a password.
 */
const DESCRIPTIONS: Readonly<Record<ErrorCode, string>> = {
	ALIAS_PROPS: 'an alias cannot have an anchor or tag',
	BAD_ALIAS: 'a bad alias',
	BAD_DIRECTIVE: 'a bad % directive',
	BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
	BAD_INDENT: 'bad indentation',
	BAD_PROP_ORDER: 'anchors and tags must come after the indicator',
	BAD_SCALAR_START: 'a plain value cannot start with this character (quote it)',
	BLOCK_AS_IMPLICIT_KEY:
		'nested mappings are not allowed in compact mappings (a ":" inside a value? quote it)',
	BLOCK_IN_FLOW: 'block syntax inside [...] or {...}',
	DUPLICATE_KEY: 'a key appears twice',
	IMPOSSIBLE: 'an internal YAML parser error',
	KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
	MISSING_CHAR: 'a missing character (an unclosed quote or bracket?)',
	MULTILINE_IMPLICIT_KEY: 'a key spanning several lines',
	MULTIPLE_ANCHORS: 'several anchors on one node',
	MULTIPLE_DOCS: 'more than one YAML document',
	MULTIPLE_TAGS: 'several tags on one node',
	NON_STRING_KEY: 'a key that is not a string',
	RESOURCE_EXHAUSTION: 'too many aliases or too deep nesting',
	TAB_AS_INDENT: 'tabs are not allowed as indentation',
	TAG_RESOLVE_FAILED: 'an unknown tag',
	UNEXPECTED_TOKEN: 'unexpected text',
	BAD_COLLECTION_TYPE: 'a tag that does not fit the collection',
};
