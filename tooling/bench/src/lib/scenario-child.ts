/**
 * Runs one scenario in this process and writes its report as JSON on stdout (progress on stderr): how the runner
 * measures a scenario under another Node version (see scenarios/proxy-requests-node24.ts).
 * Usage: `node --import tsx src/lib/scenario-child.ts <scenario id> [--quick]`.
 */
import { scenarios } from '../scenarios/index.js';

const [id, ...flags] = process.argv.slice(2);
const scenario = scenarios.find((s) => s.id === id);
if (scenario === undefined) {
	console.error(`scenario-child: unknown scenario ${String(id)}`);
	process.exit(2);
}
const report = await scenario.run({
	quick: flags.includes('--quick'),
	log: (m) => console.error(`bench: ${scenario.id} (Node ${process.versions.node}): ${m}`),
});
process.stdout.write(`${JSON.stringify(report)}\n`);
// Exit explicitly: a peer library's keep-alive socket or timer must not keep the child alive.
process.exit(0);
