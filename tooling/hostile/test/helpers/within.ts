/**
 * A hang guard: rejects when `promise` has not settled within `ms`. Not a timing assertion (nothing checks how fast
 * it settled); it turns "never settles" into a failure instead of a stuck test run.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle within ${ms} ms`)), ms);
	});
	return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
