/**
 * The check behind every package's error-documentation test (docs/architecture.md, "Errors"): a package's
 * `docs/errors.md` has one `### CODE` section per code of its catalogue, nothing else, and each section says what
 * the code means and, on a `**What to do:**` line, what an operator or caller does about it.
 */

/**
 * The ways `markdown` (a package's `docs/errors.md`) disagrees with `codes` (the keys of its error catalogue), one
 * sentence each; empty when they agree. A test asserts `deepEqual(errorDocProblems(...), [])`, so a failure lists
 * every code to add, remove or complete at once.
 */
export function errorDocProblems(markdown: string, codes: readonly string[]): string[] {
	const problems: string[] = [];
	const sections = new Map<string, number>();
	for (const section of markdown.split(/^### /m).slice(1)) {
		const end = section.indexOf('\n');
		const code = (end === -1 ? section : section.slice(0, end)).trim();
		sections.set(code, (sections.get(code) ?? 0) + 1);
		const body = end === -1 ? '' : section.slice(end + 1);
		if (!/\S/.test(body.replace(/\*\*What to\sdo:\*\*[\s\S]*/, ''))) {
			problems.push(`${code}: the section does not say what the code means`);
		}
		if (!/\*\*What to\sdo:\*\*\s*\S/.test(body)) {
			problems.push(`${code}: the section has no "**What to do:**" line`);
		}
	}
	const known = new Set(codes);
	for (const code of codes) {
		if (!sections.has(code)) problems.push(`${code}: not documented`);
	}
	for (const [code, count] of sections) {
		if (!known.has(code)) problems.push(`${code}: documented but not in the catalogue`);
		if (count > 1) problems.push(`${code}: documented ${count} times`);
	}
	return problems;
}

/**
 * The codes defined by more than one catalogue, each with the catalogues that define it (`catalogues` maps a
 * workspace name to its code list). Empty when every code has one owner, which the workspace test asserts.
 */
export function duplicateErrorCodes(
	catalogues: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
	const owners = new Map<string, string[]>();
	for (const [workspace, codes] of Object.entries(catalogues)) {
		for (const code of new Set(codes)) owners.set(code, [...(owners.get(code) ?? []), workspace]);
	}
	return Object.fromEntries([...owners].filter(([, names]) => names.length > 1));
}
