/**
 * The `code` of any thrown value (ours, Node's `ERR_*`/`E*`, got's), or undefined when it has none: the one helper
 * every CLI and log line uses to print `code: message` (docs/architecture.md, "Errors"). It lives here, in the
 * lowest layer, so every workspace reads codes the same way.
 */
export function errorCode(error: unknown): string | undefined {
	if (typeof error !== 'object' || error === null) return undefined;
	const { code } = error as { code?: unknown };
	return typeof code === 'string' ? code : undefined;
}
